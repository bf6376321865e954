/**
 * @webrun/state — the BrowserState document: its schema and limits, typed
 * JSON for IndexedDB values, Chromium storage keys, Playwright
 * `storageState` interop, and what is computed from documents alone: the
 * three-way merge of concurrent saves, diffs, cookie expiry and domain
 * filters. Pure data: no browser, CDP or leveldb.
 */

export type { StateError, StateErrorCode } from "./errors.js";
export {
  type CookieExpiry,
  cookieExpiry,
  type DomainExpiry,
  type LoginExpiry,
  loginExpiryAt,
} from "./insight/cookie-expiry.js";
export {
  type DomainFilter,
  type FilteredState,
  filterStateByDomain,
  normalizeDomain,
} from "./insight/domain-filter.js";
export {
  type MergedState,
  type MergeReport,
  type MergeStatesInput,
  mergeStates,
} from "./merge/merge-states.js";
export { type ChangeCounts, type StateChanges, stateChanges } from "./merge/state-changes.js";
export {
  type Changed,
  type CookieRef,
  diffFiles,
  diffStates,
  type ExtensionDiff,
  type FileEntry,
  type FileRef,
  type IndexedDbDiff,
  type StateDiff,
  type StorageDiff,
  type ValueHash,
} from "./merge/state-diff.js";
export {
  type AuthenticatorOptions,
  authenticatorOptionsSchema,
  defaultAuthenticatorOptions,
  maxPasskeys,
  type Passkey,
  passkeySchema,
  rpIdSchema,
  type WebauthnState,
  webauthnStateSchema,
} from "./passkeys.js";
export * from "./playwright/index.js";
export {
  type DroppedItems,
  type KindReport,
  kindReport,
  type ReportedKind,
  type StateReport,
  stateReport,
} from "./report/state-report.js";
export * from "./state.js";
export { parseStorageKey, type StorageKeyParts, storageKeyOf } from "./storage-key.js";
export { decodeTypedJson, encodeTypedJson, typedJsonSource } from "./typed-json.js";
