import { pipeline, Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import tar from "tar-stream";
import { archiveError, notTarGzError } from "../errors.js";
import { type ByteCounts, compressedMeter, inflatedMeter } from "./byte-meter.js";
import { normaliseEntryPath } from "./entry-path.js";
import { type ArchiveLimits, resolveArchiveLimits } from "./limits.js";
import { PathRegistry } from "./path-registry.js";

/** A regular file in an archive, after every check on its header passed. */
export interface ArchiveEntry {
  /** Relative, `/`-joined, normalised (no `./`, `..` or empty segments). */
  path: string;
  /** Declared size; the body yields exactly this many bytes or the read fails. */
  size: number;
  mtime?: Date;
}

/** Receives one regular file's bytes. Unconsumed bytes are drained after it returns. */
export type ArchiveEntryHandler = (entry: ArchiveEntry, body: Readable) => Promise<void> | void;

/** What one archive read saw. */
export interface ArchiveStats {
  /** Entries of every type, directories included. */
  entries: number;
  files: number;
  /** Declared bytes of regular files. */
  bytes: number;
  compressedBytes: number;
  inflatedBytes: number;
}

export interface ReadArchiveOptions {
  /** Called for each directory entry (already checked), e.g. to create empty directories. */
  onDirectory?: (path: string) => Promise<void> | void;
}

/**
 * Reads a `.tar.gz` as a stream and hands each regular file to `onEntry`,
 * enforcing every limit and refusing links, devices, unsafe or colliding
 * names, duplicates and compression bombs. Nothing is buffered beyond one
 * zlib/tar chunk. Rejects with a WebrunError (`ARCHIVE_*`); when it does,
 * whatever `onEntry` already stored is the caller's to discard.
 */
export async function readArchiveEntries(
  source: Readable,
  limitOverrides: Partial<ArchiveLimits>,
  onEntry: ArchiveEntryHandler,
  options: ReadArchiveOptions = {},
): Promise<ArchiveStats> {
  const limits = resolveArchiveLimits(limitOverrides);
  const counts: ByteCounts = { compressed: 0, consumed: 0, inflated: 0 };
  const stats: ArchiveStats = { entries: 0, files: 0, bytes: 0, compressedBytes: 0, inflatedBytes: 0 };
  const registry = new PathRegistry();
  const extract = tar.extract();
  let sawHeader = false;
  let firstError: unknown;
  const remember = (error: unknown) => {
    firstError ??= error;
  };
  // Failures of the caller's own code or stream (a sink's storage, an aborted upload) are not archive
  // problems and pass through unchanged; but an entry body failing because the archive broke underneath
  // carries the parser's error, which stays an archive problem.
  const fromCaller = new Set<unknown>();
  const fromArchive = new Set<unknown>();
  const watch = <T extends { on(event: "error", listener: (error: unknown) => void): unknown }>(
    stream: T,
  ): T => {
    stream.on("error", (error) => fromArchive.add(error));
    return stream;
  };
  const fromSource = new Set<unknown>();
  source.once("error", (error) => fromSource.add(error));
  const callerCode = async (work: () => Promise<void> | void) => {
    try {
      await work();
    } catch (error) {
      fromCaller.add(error);
      throw error;
    }
  };
  watch(extract);

  // tar-stream is a streamx stream: feed it with pipe() and forward failures by hand.
  const gunzip = createGunzip();
  let inflated: Readable | undefined;
  const flowing = new Promise<void>((resolve) => {
    inflated = pipeline(
      source,
      watch(compressedMeter(limits, counts)),
      watch(gunzip),
      watch(inflatedMeter(limits, counts, gunzip)),
      (error) => {
        if (error) {
          remember(error);
          extract.destroy(error);
        }
        resolve();
      },
    );
    inflated.pipe(extract);
  });

  try {
    for await (const entry of extract) {
      sawHeader = true;
      const header = entry.header;
      stats.entries += 1;
      if (stats.entries > limits.maxEntries) {
        throw archiveError("ARCHIVE_TOO_MANY_ENTRIES", `Archive has more than ${limits.maxEntries} entries`);
      }
      refuseEntryType(header);
      const relativePath = normaliseEntryPath(header.name, limits);
      if (header.type === "directory") {
        if (relativePath !== "") {
          registry.addDirectory(relativePath);
          await callerCode(() => options.onDirectory?.(relativePath));
        }
        entry.resume();
        continue;
      }
      const size = checkFileSize(relativePath, header, stats, limits);
      registry.addFile(relativePath);
      stats.files += 1;
      stats.bytes += size;
      const body = Readable.from(entry, { objectMode: false });
      const info: ArchiveEntry = {
        path: relativePath,
        size,
        ...(header.mtime ? { mtime: header.mtime } : {}),
      };
      await callerCode(() => onEntry(info, body));
      await drain(body);
    }
  } catch (error) {
    remember(error);
    extract.destroy(error as Error);
    inflated?.destroy();
  }
  await flowing;
  if (firstError === undefined && counts.inflated < 512) firstError = notTarGzError();
  if (firstError !== undefined) {
    const callersOwn =
      fromSource.has(firstError) || (fromCaller.has(firstError) && !fromArchive.has(firstError));
    throw callersOwn ? firstError : classify(firstError, sawHeader);
  }
  stats.compressedBytes = counts.compressed;
  stats.inflatedBytes = counts.inflated;
  return stats;
}

/** The declared size of a regular file, within the per-entry and total caps. */
function checkFileSize(
  relativePath: string,
  header: tar.Header,
  stats: ArchiveStats,
  limits: ArchiveLimits,
): number {
  if (relativePath === "") {
    throw archiveError("ARCHIVE_PATH_INVALID", "Archive has a file entry without a name", {
      entry: header.name,
    });
  }
  const size = header.size ?? 0;
  if (size > limits.maxEntryBytes) {
    throw archiveError("ARCHIVE_TOO_LARGE", `Archive entry is larger than ${limits.maxEntryBytes} bytes`, {
      entry: relativePath,
      kind: "too_large",
    });
  }
  if (stats.bytes + size > limits.maxTotalBytes) {
    throw archiveError("ARCHIVE_TOO_LARGE", `Archive content is larger than ${limits.maxTotalBytes} bytes`, {
      entry: relativePath,
      kind: "too_large",
    });
  }
  return size;
}

function refuseEntryType(header: tar.Header): void {
  switch (header.type) {
    case "file":
    case "contiguous-file":
    case "directory":
      return;
    case "symlink":
    case "link":
      throw archiveError("ARCHIVE_LINK_REFUSED", "Archive contains a link, which is not allowed", {
        entry: header.name,
      });
    case "character-device":
    case "block-device":
    case "fifo":
      throw archiveError(
        "ARCHIVE_DEVICE_REFUSED",
        "Archive contains a device or FIFO, which is not allowed",
        {
          entry: header.name,
        },
      );
    default:
      throw archiveError("ARCHIVE_ENTRY_TYPE_REFUSED", "Archive contains an entry of an unsupported type", {
        entry: header.name,
      });
  }
}

/** Consumes what a handler left unread, so the tar parser can move on. */
async function drain(body: Readable): Promise<void> {
  if (body.readableEnded) return;
  body.resume();
  await finished(body);
}

/**
 * Our own refusals pass through; zlib and tar parse failures become
 * "not a tar.gz" when no entry was read yet, "corrupt" afterwards.
 */
function classify(error: unknown, sawHeader: boolean): WebrunError {
  if (isWebrunError(error)) return error;
  if (!sawHeader) return notTarGzError(error);
  const detail = error instanceof Error ? error.message : String(error);
  return archiveError(
    "ARCHIVE_CORRUPT",
    `Only .tar.gz files are allowed: the archive is corrupt (${detail})`,
    {
      cause: error,
    },
  );
}
