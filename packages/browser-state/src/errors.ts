import { errorFactory, type WebrunError } from "@webrun/errors";

/** Every code @webrun/browser-state throws. Clients and tests rely on them: add codes, never rename one. */
export type BrowserStateErrorCode =
  | "BROWSER_CLOSE_TIMEOUT"
  | "BROWSER_DISCONNECTED"
  | "BROWSER_NOT_CHROMIUM"
  | "BROWSER_TIMEOUT"
  | "CAPTURE_ORIGIN_INVALID"
  | "CDP_COMMAND_FAILED"
  | "CDP_INVALID_ENDPOINT"
  | "CDP_NOT_CHROMIUM"
  | "CDP_UNREACHABLE"
  | "CHROMIUM_LAUNCH_FAILED"
  | "CHROMIUM_NO_DISPLAY"
  | "CHROMIUM_NOT_FOUND"
  | "EXTENSION_FILE_CONTENT_MISSING"
  | "EXTENSION_FILE_MISMATCH"
  | "EXTENSION_FILE_NAME_INVALID"
  | "EXTENSION_FILE_PATH_INVALID"
  | "EXTENSION_FILE_TYPE"
  | "EXTENSION_ID_INVALID"
  | "EXTENSION_KEY_INVALID"
  | "EXTENSION_MANIFEST_INVALID"
  | "EXTENSION_MANIFEST_MISSING"
  | "EXTENSION_PATH_NOT_ABSOLUTE"
  | "EXTENSION_STORAGE_CORRUPT"
  | "EXTENSION_SYMLINK"
  | "EXTENSION_TOO_LARGE"
  | "EXTENSION_WORKER_UNREACHABLE"
  | "INTERCEPTED_NAVIGATION_FAILED"
  | "PAGE_SCRIPT_FAILED"
  | "PAGE_SCRIPT_TIMEOUT"
  | "PAGE_SELECTOR_INVALID"
  | "PAGE_UNREACHABLE"
  | "PROFILE_LEVELDB_NOT_A_DIRECTORY"
  | "PROFILE_LEVELDB_UNREADABLE"
  | "PROFILE_LOCKED"
  | "STORAGE_KEY_INVALID";

export type BrowserStateError = WebrunError<BrowserStateErrorCode>;

/** Makes every error of @webrun/browser-state; a code outside {@link BrowserStateErrorCode} does not compile. */
export const browserStateError = errorFactory<BrowserStateErrorCode>();
