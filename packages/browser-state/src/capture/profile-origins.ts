import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { listLocalStorageOrigins, localStorageDir, type StorageKeyParts } from "../profile/index.js";
import { originSchema } from "../state.js";

/**
 * The storage keys that have localStorage, from a profile a browser may be
 * running on: the leveldb is locked while Chromium runs, so a copy is read.
 * (The copy may lag up to ~5 s of writes: it only says where to look.)
 * A missing or unreadable profile yields `[]`.
 */
export async function localStorageKeysOfLiveProfile(profileDir: string): Promise<StorageKeyParts[]> {
  const copy = await mkdtemp(path.join(tmpdir(), "webrun-ls-copy-"));
  try {
    await cp(localStorageDir(profileDir), copy, {
      recursive: true,
      filter: (source) => path.basename(source) !== "LOCK",
    });
    return await listLocalStorageOrigins(copy);
  } catch {
    return [];
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/** `https_a.test_8443.indexeddb.leveldb` → `https://a.test:8443`; port 0 means the scheme's default. */
export function originOfIndexedDbFolder(folder: string): string | undefined {
  const match = /^(https?)_(.+)_(\d+)\.indexeddb\.leveldb$/.exec(folder);
  if (!match) return undefined;
  const [, scheme, host, port] = match;
  const defaultPort = scheme === "https" ? "443" : "80";
  const origin = port === "0" || port === defaultPort ? `${scheme}://${host}` : `${scheme}://${host}:${port}`;
  return originSchema.safeParse(origin).success ? origin : undefined;
}

/** First-party origins with an IndexedDB folder in the profile (`Default/IndexedDB/`). */
export async function indexedDbOriginsOfProfile(profileDir: string): Promise<string[]> {
  const entries = await readdir(path.join(profileDir, "Default", "IndexedDB")).catch(() => []);
  return entries.flatMap((entry) => {
    const origin = originOfIndexedDbFolder(entry);
    return origin ? [origin] : [];
  });
}
