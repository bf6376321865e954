/** Streamed, hostile-input-safe `.tar.gz` archives: extraction, environment archives, profile uploads. */
export {
  type ArchiveEntry,
  type ArchiveEntryHandler,
  type ArchiveStats,
  type ReadArchiveOptions,
  readArchiveEntries,
} from "./archive-reader.js";
export { extractArchive } from "./extract.js";
export { type ArchiveLimits, defaultArchiveLimits, resolveArchiveLimits } from "./limits.js";
