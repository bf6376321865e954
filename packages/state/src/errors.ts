import { errorFactory, type WebrunError } from "@webrun/errors";

/** Every code @webrun/state throws. Clients and tests rely on them: add codes, never rename one. */
export type StateErrorCode =
  | "DOMAIN_INVALID"
  | "PLAYWRIGHT_STATE_INVALID"
  | "PLAYWRIGHT_VALUE_INVALID"
  | "STATE_INVALID";

export type StateError = WebrunError<StateErrorCode>;

/** Makes every error of @webrun/state; a code outside {@link StateErrorCode} does not compile. */
export const stateError = errorFactory<StateErrorCode>();
