import type { Readable } from "node:stream";
import { type ArchiveStats, readArchiveEntries } from "./archive-reader.js";
import type { ArchiveLimits } from "./limits.js";
import { DirectoryWriter, withStagingDirectory } from "./staging-directory.js";

/**
 * Extracts a `.tar.gz` into `targetDir`, all or nothing: entries are
 * written into a fresh staging directory next to the target, which is
 * renamed into place only after the whole archive passed every check
 * (see {@link readArchiveEntries}). On failure the staging directory is
 * removed and `targetDir` is untouched. Only regular files and directories
 * are ever created.
 */
export async function extractArchive(
  source: Readable,
  targetDir: string,
  limits: Partial<ArchiveLimits> = {},
): Promise<ArchiveStats> {
  try {
    return await withStagingDirectory(targetDir, (staging) => {
      const writer = new DirectoryWriter(staging);
      return readArchiveEntries(source, limits, (entry, body) => writer.writeFile(entry.path, body), {
        onDirectory: (relativePath) => writer.makeDirectory(relativePath),
      });
    });
  } finally {
    // Refused before reading (target exists) or failed midway: release the caller's stream either way.
    source.destroy();
  }
}
