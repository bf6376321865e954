/**
 * @webrun/env-store — where environments live: the BlobStore interface and
 * its drivers, environments with versions, archives and encryption.
 */
export type {
  BlobBody,
  BlobInfo,
  BlobObject,
  BlobStore,
  ByteRange,
  GetOptions,
  PresignOptions,
  PutOptions,
} from "./blob-store/blob-store.js";
export { readAll } from "./blob-store/body.js";
export { createMemoryBlobStore } from "./blob-store/drivers/memory.js";
export {
  type ArchiveEntry,
  type ArchiveEntryHandler,
  type ArchiveLimits,
  type ArchiveStats,
  defaultArchiveLimits,
  defaultEnvironmentDocumentLimits,
  droppedProfileEntries,
  ENVIRONMENT_ARCHIVE_FORMAT,
  ENVIRONMENT_ARCHIVE_VERSION,
  type EnvironmentArchiveLimits,
  type EnvironmentArchiveSinks,
  type EnvironmentManifest,
  environmentManifestSchema,
  type ExtensionArchiveFile,
  type ExtensionFileSource,
  extractArchive,
  isDroppedProfilePath,
  type PackEnvironmentOptions,
  type ProfileArchiveFile,
  packEnvironmentArchive,
  readArchiveEntries,
  type UnpackedEnvironment,
  unpackEnvironmentArchive,
  unpackEnvironmentArchiveToDirectory,
} from "./archive/index.js";
export { createEncryptedBlobStore } from "./crypto/encrypted-blob-store.js";
export { type KeyringConfig, Keyring, keyringFromConfig } from "./crypto/keyring.js";
export { type LocalKeyring, loadOrCreateLocalKeyring } from "./crypto/local-keyring.js";
