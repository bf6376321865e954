/**
 * @webrun/env-store — environments: their versions and compare-and-swap
 * saves, garbage collection and environment archives, over any BlobStore
 * (`@webrun/blob-store`, which env-store does not re-export).
 */

export {
  type ArchiveEntry,
  type ArchiveEntryHandler,
  type ArchiveLimits,
  type ArchiveStats,
  defaultArchiveLimits,
  defaultEnvironmentDocumentLimits,
  defaultProfileArchiveLimits,
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
  type ProfileInspection,
  type ProfileInspector,
  type ProfileSummary,
  packEnvironmentArchive,
  readArchiveEntries,
  type UnpackedEnvironment,
  unpackEnvironmentArchive,
  unpackEnvironmentArchiveToDirectory,
} from "./archive/index.js";
export { type Clock, defaultEnvironmentLimits, type EnvironmentLimits } from "./environments/context.js";
export { environmentExists } from "./environments/environment-exists.js";
export {
  createEnvironmentStore,
  type EnvironmentStore,
  type EnvironmentStoreOptions,
} from "./environments/environment-store.js";
export type { GarbageReport } from "./environments/garbage-collector.js";
export type { MergeOutcome, MergeSaveInput, MergeSaveResult } from "./environments/merge-save.js";
export {
  type SnapshotOutcome,
  type SnapshotSave,
  STORAGE_SNAPSHOT_PREFIX,
} from "./environments/merge-snapshot.js";
export type { Environment, VersionSummary } from "./environments/schemas.js";
export type { StateDocument } from "./environments/state-document.js";
export type { VersionDiff } from "./environments/version-diff.js";
export type {
  LoadedFile,
  LoadedVersion,
  SaveResult,
  SaveVersionInput,
  VersionInfo,
} from "./environments/versions.js";
export type { EnvStoreError, EnvStoreErrorCode } from "./errors.js";
