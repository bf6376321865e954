import { existsSync } from "node:fs";
import { cp, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type OriginState, originSchema } from "@webrun/state";
import {
  extensionStorageDir,
  localStorageDir,
  readExtensionStorage,
  readLocalStorageDir,
  readSessionStorageDir,
  sessionStorageDir,
} from "../profile/index.js";
import type { CaptureNotes } from "./capture-notes.js";

/**
 * localStorage of every storage key, from a profile a browser may be running
 * on: the leveldb is locked while Chromium runs, so a copy is read. Chromium
 * writes a change within ~5 s, and at once when the tab that made it closes.
 * A missing profile yields `[]`; an unreadable one `[]` and a warning in `notes`.
 */
export async function localStorageOfLiveProfile(
  profileDir: string,
  notes: CaptureNotes,
): Promise<OriginState[]> {
  return readCopyOf(localStorageDir(profileDir), notes, (dir) =>
    readLocalStorageDir(dir, { onUnsupportedStorageKey: notes.unsupportedStorageKey }),
  );
}

/**
 * sessionStorage from a copy of the running profile's `Session Storage`:
 * the only place the storage of origins a tab has navigated away from can be
 * seen while the browser runs (it may lag recent writes by a few seconds).
 */
export async function sessionStorageOfLiveProfile(
  profileDir: string,
  notes: CaptureNotes,
): Promise<OriginState[]> {
  return readCopyOf(sessionStorageDir(profileDir), notes, (dir) =>
    readSessionStorageDir(dir, { onUnsupportedStorageKey: notes.unsupportedStorageKey }),
  );
}

/**
 * Reads a leveldb through a copy (Chromium holds the original's lock); `[]`
 * when missing, and when unreadable `[]` with a warning.
 */
async function readCopyOf<T>(
  leveldbDir: string,
  notes: CaptureNotes,
  read: (dir: string) => Promise<T[]>,
): Promise<T[]> {
  if (!existsSync(path.join(leveldbDir, "CURRENT"))) return [];
  const copy = await mkdtemp(path.join(tmpdir(), "webrun-leveldb-copy-"));
  try {
    await cp(leveldbDir, copy, { recursive: true, filter: (source) => path.basename(source) !== "LOCK" });
    return await read(copy);
  } catch (error) {
    notes.warn(`could not read a copy of ${leveldbDir}: ${(error as Error).message.slice(0, 200)}`);
    return [];
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

/**
 * `chrome.storage.local`/`sync` of an extension from a copy of the running
 * profile's `Local/Sync Extension Settings/<id>` (locked while Chromium
 * runs): what an extension whose service worker is asleep has stored.
 * `undefined`, with a warning, when it cannot be read.
 */
export async function extensionStorageOfLiveProfile(
  profileDir: string,
  extensionId: string,
  notes: CaptureNotes,
): Promise<Awaited<ReturnType<typeof readExtensionStorage>> | undefined> {
  const copy = await mkdtemp(path.join(tmpdir(), "webrun-extension-storage-"));
  try {
    for (const area of ["local", "sync"] as const) {
      const source = extensionStorageDir(profileDir, extensionId, area);
      if (!existsSync(source)) continue;
      await cp(source, extensionStorageDir(copy, extensionId, area), {
        recursive: true,
        filter: (file) => path.basename(file) !== "LOCK",
      });
    }
    return await readExtensionStorage(copy, extensionId);
  } catch (error) {
    notes.warn(
      `could not read a copy of extension ${extensionId}'s storage: ${(error as Error).message.slice(0, 200)}`,
    );
    return undefined;
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
