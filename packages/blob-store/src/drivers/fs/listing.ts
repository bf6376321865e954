import { open, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { BlobInfo, BlobListEntry } from "../../blob-store.js";
import { compareKeys } from "../../keys.js";
import { decodeName, isDirectoryName, isInternalName, listingStart, segmentFileName } from "./layout.js";
import { readRecord } from "./record.js";

/**
 * Every object whose key starts with `prefix`, in S3 order (UTF-8 bytes).
 * A directory sorts as its segment plus "/", so the walk of each directory's
 * entries in that order yields keys in exactly the order S3 lists them
 * (`a-c` < `a/b` < `a0`). Objects removed while listing are skipped.
 */
export function listObjects(
  objectsRoot: string,
  prefix: string,
  readInfo: (file: string) => Promise<BlobInfo | undefined>,
): AsyncIterable<BlobListEntry> {
  const start = listingStart(objectsRoot, prefix);
  return walk(start.path, start.keyPrefix, prefix, readInfo);
}

async function* walk(
  dir: string,
  keyPrefix: string,
  prefix: string,
  readInfo: (file: string) => Promise<BlobInfo | undefined>,
): AsyncGenerator<BlobListEntry> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const entries: { sortKey: string; path: string; directory: boolean }[] = [];
  for (const name of names) {
    if (isInternalName(name)) continue;
    const path = join(dir, name);
    const directory = isDirectoryName(name);
    const segment = decodeName(name) ?? (await trueSegment(path, directory));
    if (segment === undefined) continue;
    const sortKey = keyPrefix + segment + (directory ? "/" : "");
    const relevant = directory
      ? sortKey.startsWith(prefix) || prefix.startsWith(sortKey)
      : sortKey.startsWith(prefix);
    if (relevant) entries.push({ sortKey, path, directory });
  }
  entries.sort((a, b) => compareKeys(a.sortKey, b.sortKey));
  for (const entry of entries) {
    if (entry.directory) {
      yield* walk(entry.path, entry.sortKey, prefix, readInfo);
    } else {
      const info = await readInfo(entry.path);
      if (info) yield { key: info.key, size: info.size, lastModified: info.lastModified };
    }
  }
}

/** The segment a shortened entry stands for: from the object's record, or the directory's `#segment` file. */
async function trueSegment(path: string, directory: boolean): Promise<string | undefined> {
  try {
    if (directory) return await readFile(join(path, segmentFileName), "utf8");
    const handle = await open(path, "r");
    try {
      return (await readRecord(handle)).key.split("/").pop();
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}
