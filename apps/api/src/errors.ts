import type { ApiErrorCode } from "@webrun/api-contract";
import { errorFactory, type WebrunError } from "@webrun/errors";

/**
 * Every code the API itself throws: the HTTP layer's codes of the contract,
 * and a refused configuration at start-up. The packages' own codes pass
 * through unchanged. Clients and tests rely on them: add codes, never rename one.
 */
export type ApiServerErrorCode = ApiErrorCode | "CONFIG_INVALID";

export type ApiServerError = WebrunError<ApiServerErrorCode>;

/** Makes every error of the API; a code outside {@link ApiServerErrorCode} does not compile. */
export const apiError = errorFactory<ApiServerErrorCode>();
