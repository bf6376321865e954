import { createHash } from "node:crypto";
import { constants, createWriteStream } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";

/** A regular file of a snapshot folder: path relative to the folder, size and SHA-256 of the bytes read. */
export interface DigestedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Size and SHA-256 of a regular file, read without following a link
 * (`O_NOFOLLOW`: a file swapped for a link is refused too); with `copyTo`,
 * the bytes read are written there as well, so the digest is of the copy.
 */
export async function digestRegularFile(
  file: string,
  copyTo?: string,
): Promise<{ size: number; sha256: string }> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const hash = createHash("sha256");
  let size = 0;
  try {
    const counted = async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        size += chunk.length;
        hash.update(chunk);
        yield chunk;
      }
    };
    const bytes = counted(handle.createReadStream({ autoClose: false }));
    if (copyTo === undefined) for await (const _ of bytes);
    else await pipeline(bytes, createWriteStream(copyTo, { flags: "wx" }));
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest("hex") };
}

/** Every regular file under `dir`, sorted, digested; links and special files are left out, never followed. */
export async function digestFolder(dir: string): Promise<DigestedFile[]> {
  const files: DigestedFile[] = [];
  const walk = async (relative: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, relative))).sort()) {
      const entry = relative === "" ? name : `${relative}/${name}`;
      const info = await lstat(path.join(dir, entry));
      if (info.isDirectory()) await walk(entry);
      else if (info.isFile())
        files.push({ path: entry, ...(await digestRegularFile(path.join(dir, entry))) });
    }
  };
  await walk("");
  return files;
}
