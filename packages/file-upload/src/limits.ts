/**
 * What one upload request may contain. Every limit has a documented default
 * and a clear 413/400 answer when crossed (see `errors.ts`); busboy truncates
 * silently unless told, so each of these is checked explicitly.
 */
export interface UploadLimits {
  /** Largest accepted file, in bytes. Default 100 MiB. */
  maxFileBytes: number;
  /** Files per request. Default 10. */
  maxFiles: number;
  /** Text fields per request (only `environmentId` is meaningful). Default 5. */
  maxFields: number;
  /** Bytes in one text field value. Default 1 KiB. */
  maxFieldBytes: number;
  /** Bytes in one field name. Default 100. */
  maxFieldNameBytes: number;
  /** Parts (files + fields) per request. Default 20. */
  maxParts: number;
  /** Header lines per part. Default 20. */
  maxHeaderPairs: number;
  /** Wall-clock time for the whole request body; slower uploads are refused. Default 1 hour. */
  maxDurationMs: number;
}

export const MiB = 1024 * 1024;

export const defaultUploadLimits: Readonly<UploadLimits> = Object.freeze({
  maxFileBytes: 100 * MiB,
  maxFiles: 10,
  maxFields: 5,
  maxFieldBytes: 1024,
  maxFieldNameBytes: 100,
  maxParts: 20,
  maxHeaderPairs: 20,
  maxDurationMs: 60 * 60 * 1000,
});

/** The defaults overridden by whatever the caller set. */
export function resolveLimits(overrides: Partial<UploadLimits> | undefined): UploadLimits {
  const limits = { ...defaultUploadLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1)
      throw new RangeError(`upload limit ${name} must be a positive integer`);
  }
  return limits;
}

/** "100 MiB", "1 KiB", "1536 bytes": how limits read in error messages. */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 * MiB],
    ["MiB", MiB],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
