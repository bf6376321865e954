/**
 * @webrun/state — the BrowserState document: its schema and limits, typed
 * JSON for IndexedDB values, Chromium storage keys, and Playwright
 * `storageState` interop. Pure data: no browser, CDP or leveldb.
 */

export * from "./playwright/index.js";
export * from "./state.js";
export { parseStorageKey, type StorageKeyParts, storageKeyOf } from "./storage-key.js";
export { decodeTypedJson, encodeTypedJson, typedJsonSource } from "./typed-json.js";
