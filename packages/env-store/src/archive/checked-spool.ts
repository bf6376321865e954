import { createWriteStream } from "node:fs";
import { pipeline, type Readable, Transform, type TransformCallback } from "node:stream";
import { finished } from "node:stream/promises";
import { type ArchiveStats, readArchiveEntries } from "./archive-reader.js";
import type { ArchiveLimits } from "./limits.js";

/**
 * Reads a whole `.tar.gz` once, with every check of {@link readArchiveEntries}
 * (entry count, sizes, names, types, bombs) and nothing else, while copying
 * its compressed bytes to `file`; `onPath` sees every entry path (files and
 * directories). A check costs microseconds per entry, so an archive of
 * hundreds of thousands of tiny entries is refused in about a second — before
 * the costly work per entry (storing each file) has started on any of them.
 * The caller then reads the checked copy.
 */
export async function checkArchiveToFile(
  source: Readable,
  file: string,
  limits: Partial<ArchiveLimits>,
  onPath: (path: string) => void,
): Promise<ArchiveStats> {
  const copy = createWriteStream(file);
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      if (copy.write(chunk)) callback(null, chunk);
      else copy.once("drain", () => callback(null, chunk));
    },
  });
  copy.once("error", (error) => tee.destroy(error));
  // pipeline hands a failure of `source` (an aborted upload) to `tee` as the same error, so it stays the caller's.
  const teed = pipeline(source, tee, () => {});
  try {
    const stats = await readArchiveEntries(teed, limits, (entry) => onPath(entry.path), {
      onDirectory: onPath,
    });
    copy.end();
    await finished(copy);
    return stats;
  } catch (error) {
    copy.destroy();
    throw error;
  }
}
