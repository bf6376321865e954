/** Streamed, hostile-input-safe `.tar.gz` archives: extraction, environment archives, profile uploads. */
export {
  type ArchiveEntry,
  type ArchiveEntryHandler,
  type ArchiveStats,
  type ReadArchiveOptions,
  readArchiveEntries,
} from "./archive-reader.js";
export { type ContentDigest, sha256Hex } from "./content-digest.js";
export {
  ENVIRONMENT_ARCHIVE_FORMAT,
  ENVIRONMENT_ARCHIVE_VERSION,
  type EnvironmentManifest,
  environmentManifestSchema,
  type ManifestFile,
} from "./environment-manifest.js";
export { extractArchive } from "./extract.js";
export {
  type IngestProfileOptions,
  ingestProfileArchive,
  type ProfileExtension,
  type ProfileFileSink,
  type ProfileInspection,
  type ProfileInspector,
  type ProfileSummary,
} from "./ingest-profile.js";
export {
  type ArchiveLimits,
  defaultArchiveLimits,
  defaultProfileArchiveLimits,
  resolveArchiveLimits,
} from "./limits.js";
export {
  type ExtensionFileSource,
  type PackEnvironmentOptions,
  type ProfileFileInput,
  packEnvironmentArchive,
} from "./pack-environment.js";
export { droppedProfileEntries, isDroppedProfilePath } from "./profile-drop-list.js";
export {
  defaultEnvironmentDocumentLimits,
  type EnvironmentArchiveLimits,
  type EnvironmentArchiveSinks,
  type ExtensionArchiveFile,
  type ProfileArchiveFile,
  type UnpackedEnvironment,
  unpackEnvironmentArchive,
  unpackEnvironmentArchiveToDirectory,
} from "./unpack-environment.js";
