/**
 * Every cap an archive reader enforces, in one place. Archives come from
 * users (profile uploads) or from storage that could have been tampered
 * with, so each limit bounds what one archive may cost in disk, memory and
 * time. Callers override single fields; the rest keep these defaults.
 */
export interface ArchiveLimits {
  /** Bytes read from the source before decompression. Profile uploads are at most 500 MB by contract. */
  maxCompressedBytes: number;
  /** Bytes after decompression (tar headers and padding included): the absolute bomb cap. */
  maxInflatedBytes: number;
  /** Sum of the declared sizes of all regular files. */
  maxTotalBytes: number;
  /** Declared size of one regular file. */
  maxEntryBytes: number;
  /** Entries of any type, directories included. */
  maxEntries: number;
  /** Path segments of one entry (`a/b/c` is 3). */
  maxDepth: number;
  /** UTF-8 bytes of one entry path; a single segment is also capped at 255 as on every common file system. */
  maxPathBytes: number;
  /** Inflated ÷ compressed bytes, checked continuously once `ratioCheckAfterBytes` have been inflated. */
  maxCompressionRatio: number;
  /** Below this many inflated bytes the ratio is not checked: tiny archives of zeros legitimately compress 100×. */
  ratioCheckAfterBytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * Defaults sized for a Chrome profile without its caches: a heavy profile
 * is a few GB of mostly-incompressible SQLite and leveldb data with well
 * under 100k files. A 1 GB file of zeros gzips to ~1 MB (ratio ~1000); real
 * profiles stay well below 50.
 */
export const defaultArchiveLimits: Readonly<ArchiveLimits> = Object.freeze({
  maxCompressedBytes: 500 * 1000 * 1000,
  maxInflatedBytes: 4 * GiB,
  maxTotalBytes: 4 * GiB,
  maxEntryBytes: 2 * GiB,
  maxEntries: 100_000,
  maxDepth: 32,
  maxPathBytes: 4_096,
  maxCompressionRatio: 200,
  ratioCheckAfterBytes: 64 * MiB,
});

/**
 * A raw profile upload (`POST /environments/:id/profile`) is the one archive
 * a user writes by hand, and each of its files costs a stored object, so
 * its entry count is capped from measured profiles rather than at the
 * generic 100,000. Chromium 156, caches dropped (`profile-drop-list.ts`):
 * a fresh profile after visiting 6 sites holds 130 files in 88 folders (218
 * entries); after 30 sites that each used localStorage, IndexedDB and Cache
 * Storage, 226 files in 178 folders (404: ~6 entries per IndexedDB origin).
 * A heavy everyday profile (hundreds of IndexedDB origins, ten Web Store
 * extensions of a few hundred files each) comes to several thousand;
 * 20,000 leaves about three times that as headroom.
 */
export const defaultProfileArchiveLimits: Readonly<ArchiveLimits> = Object.freeze({
  ...defaultArchiveLimits,
  maxEntries: 20_000,
});

/** The defaults with the caller's overrides applied; every value must be a positive number. */
export function resolveArchiveLimits(overrides: Partial<ArchiveLimits> = {}): ArchiveLimits {
  const limits = { ...defaultArchiveLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (typeof value !== "number" || !(value > 0))
      throw new TypeError(`archive limit ${name} must be a positive number`);
  }
  return limits;
}
