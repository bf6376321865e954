import { errorFactory, type WebrunError } from "@webrun/errors";

/**
 * Every code webrun-env throws itself (an API's error keeps the API's code).
 * Scripts and tests rely on them: add codes, never rename one.
 */
export type CliErrorCode =
  | "API_KEY_INVALID"
  | "API_KEY_MISSING"
  | "API_URL_INVALID"
  | "BROWSER_EXITED"
  | "CAPTURE_TARGET_MISSING"
  | "CHECK_INTERRUPTED"
  | "CHROMIUM_NO_DISPLAY"
  | "CONVERT_FORMAT_UNKNOWN"
  | "DATA_DIR_EMPTY"
  | "INPUT_KIND_UNKNOWN"
  | "INPUT_TOO_LARGE"
  | "IMPORT_INTERRUPTED"
  | "IMPORT_NOTHING_TO_SAVE"
  | "IMPORT_TARGET_MISSING"
  | "INPUT_UNREADABLE"
  | "INVALID_JSON"
  | "INVALID_PROXY"
  | "INVALID_SESSION_PARAMS"
  | "LAUNCH_SOURCE_INVALID"
  | "LOGIN_MARKER_INVALID"
  | "MERGE_BASE_WITHOUT_PUSH"
  | "NOT_LOGGED_IN"
  | "NOTHING_TO_UPDATE"
  | "OUTPUT_KIND_UNKNOWN"
  | "OUTPUT_UNWRITABLE"
  | "PROFILE_DIR_INVALID"
  | "PROFILE_NOT_CHROMIUM"
  | "SESSION_SAVE_FAILED"
  | "SESSION_SOURCE_INVALID";

export type CliError = WebrunError<CliErrorCode>;

/** Makes every error of webrun-env; a code outside {@link CliErrorCode} does not compile. */
export const cliError = errorFactory<CliErrorCode>();
