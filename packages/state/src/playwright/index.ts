/** Conversion between BrowserState and Playwright's `storageState` document. */
export {
  fromPlaywrightStorageState,
  playwrightConversionLosses,
  toPlaywrightStorageState,
} from "./convert.js";
export {
  type PlaywrightCookie,
  type PlaywrightIndexedDbDatabase,
  type PlaywrightOrigin,
  type PlaywrightStorageState,
  playwrightCookieSchema,
  playwrightIndexedDbDatabaseSchema,
  playwrightOriginSchema,
  playwrightStorageStateSchema,
} from "./storage-state-schema.js";
