/**
 * @webrun/env-store — where environments live: the BlobStore interface and
 * its drivers, environments with versions, archives and encryption.
 */

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
  type ExtensionArchiveFile,
  type ExtensionFileSource,
  environmentManifestSchema,
  extractArchive,
  type IngestProfileOptions,
  ingestProfileArchive,
  isDroppedProfilePath,
  type PackEnvironmentOptions,
  type ProfileArchiveFile,
  type ProfileExtension,
  type ProfileFileInput,
  type ProfileFileSink,
  type ProfileSummary,
  packEnvironmentArchive,
  readArchiveEntries,
  type UnpackedEnvironment,
  unpackEnvironmentArchive,
  unpackEnvironmentArchiveToDirectory,
} from "./archive/index.js";
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
export {
  type BlobStoreConfig,
  blobStoreConfigSchema,
  blobStoreFromConfig,
  parseBlobStoreConfig,
} from "./blob-store/config.js";
export { createFsBlobStore, type FsBlobStoreOptions } from "./blob-store/drivers/fs.js";
export { createMemoryBlobStore } from "./blob-store/drivers/memory.js";
export { type IfMatchForm, probeConditionalWrites } from "./blob-store/drivers/s3/probe.js";
export type { S3BlobStoreOptions } from "./blob-store/drivers/s3.js";
export { createS3BlobStore } from "./blob-store/drivers/s3-on-demand.js";
export { assertValidKey, compareKeys } from "./blob-store/keys.js";
export { createEncryptedBlobStore } from "./crypto/encrypted-blob-store.js";
export { Keyring, type KeyringConfig, keyringFromConfig } from "./crypto/keyring.js";
export { type LocalKeyring, loadOrCreateLocalKeyring } from "./crypto/local-keyring.js";
export { type Clock, defaultEnvironmentLimits, type EnvironmentLimits } from "./environments/context.js";
export {
  DESCRIPTION_MAX,
  type EnvironmentInput,
  type EnvironmentUpdate,
  environmentInputSchema,
  environmentUpdateSchema,
  NAME_MAX,
} from "./environments/environment-input.js";
export {
  createEnvironmentStore,
  type EnvironmentStore,
  type EnvironmentStoreOptions,
} from "./environments/environment-store.js";
export type { GarbageReport } from "./environments/garbage-collector.js";
export type { MergeOutcome, MergeSaveInput, MergeSaveResult } from "./environments/merge-save.js";
export type { Environment, VersionSummary } from "./environments/schemas.js";
export type {
  LoadedFile,
  LoadedVersion,
  SaveResult,
  SaveVersionInput,
  VersionInfo,
} from "./environments/versions.js";
