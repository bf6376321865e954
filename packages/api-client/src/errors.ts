import { errorFactory, type WebrunError } from "@webrun/errors";

/**
 * Every code the client throws itself (an error answer keeps the API's own
 * code). Scripts and tests rely on them: add codes, never rename one.
 */
export type ApiClientErrorCode = "API_ANSWER_INVALID" | "API_REDIRECT" | "API_UNREACHABLE" | "FILE_CHANGED";

export type ApiClientError = WebrunError<ApiClientErrorCode>;

/** Makes every error of @webrun/api-client; a code outside {@link ApiClientErrorCode} does not compile. */
export const apiClientError = errorFactory<ApiClientErrorCode>();
