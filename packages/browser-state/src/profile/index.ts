/** Offline reading and writing of a Chromium profile's storage (no browser running). */

export { parseStorageKey, type StorageKeyParts } from "@webrun/state";
export {
  defaultExtensionReadLimits,
  type ExtensionFileOpener,
  type ExtensionReadLimits,
  extensionIdForKey,
  extensionIdForPath,
  inlineFileOpener,
  layoutExtension,
  type ReadUnpackedExtensionOptions,
  readUnpackedExtension,
} from "./extension-files.js";
export {
  type ExtensionStorageArea,
  extensionStorageDir,
  readExtensionStorage,
  writeExtensionStorage,
} from "./extension-storage.js";
export { type InspectedExtension, inspectProfile, type ProfileInspection } from "./inspect-profile.js";
export {
  decodeStorageString,
  encodeStorageString,
  listLocalStorageOrigins,
  localStorageDir,
  type ReadLocalStorageOptions,
  readLocalStorage,
  readLocalStorageDir,
  type WriteLocalStorageOptions,
  writeLocalStorage,
  writeLocalStorageDir,
} from "./local-storage.js";
export { readProfileStorage } from "./profile-storage.js";
export {
  type ReadSessionStorageOptions,
  readSessionStorage,
  readSessionStorageDir,
  sessionStorageDir,
} from "./session-storage.js";
