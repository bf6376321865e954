import { existsSync } from "node:fs";
import { cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { digestFolder } from "./snapshot-files.js";
import {
  fileSystemFolder,
  indexedDbOriginOf,
  type SnapshotFolder,
  type SnapshotManifest,
  serviceWorkerFolder,
  snapshotManifestName,
} from "./snapshot-manifest.js";

export interface TakeSnapshotOptions {
  /** The major version of the browser running on `profileDir`. */
  chromiumMajor: number;
  /** Origins whose IndexedDB holds values typed JSON cannot carry: their IndexedDB folders are copied. */
  indexedDbOrigins: readonly string[];
}

const copyAttempts = 3;

/**
 * Copies the storage folders page script cannot serialise out of a
 * profile a browser may be running on, into `into` (a user-data-dir subset
 * plus {@link snapshotManifestName}): `Default/Service Worker` (one leveldb of
 * every origin's registrations, their scripts, Cache Storage) and
 * `Default/File System` (OPFS) whole, and the IndexedDB folders (with their
 * `.blob` files) of `indexedDbOrigins`. The browser writes while we copy: a
 * folder whose files vanish mid-copy (a leveldb compaction) is copied again;
 * a leveldb copy cut at the end of its log reopens as Chromium's own crash
 * recovery would. Resolves to the manifest written, or `undefined` when
 * there was nothing to keep.
 */
export async function takeStorageSnapshot(
  profileDir: string,
  into: string,
  options: TakeSnapshotOptions,
): Promise<SnapshotManifest | undefined> {
  const wanted = new Set(options.indexedDbOrigins);
  const candidates: { folder: string; label: string }[] = [
    { folder: serviceWorkerFolder, label: "service worker registrations and Cache Storage" },
    { folder: fileSystemFolder, label: "origin private file system (OPFS)" },
  ];
  const indexedDbEntries = await readdir(path.join(profileDir, "Default", "IndexedDB")).catch(() => []);
  for (const entry of indexedDbEntries.sort()) {
    const folder = `Default/IndexedDB/${entry}`;
    const origin = indexedDbOriginOf(folder);
    if (origin !== undefined && wanted.has(origin))
      candidates.push({ folder, label: `IndexedDB of ${origin}` });
  }
  const folders: SnapshotFolder[] = [];
  for (const { folder, label } of candidates) {
    const source = path.join(profileDir, ...folder.split("/"));
    if (!existsSync(source)) continue;
    const target = path.join(into, ...folder.split("/"));
    await copyWhileWritten(source, target);
    const files = await digestFolder(target);
    if (files.length > 0) folders.push({ folder, label, files });
  }
  if (folders.length === 0) return undefined;
  const manifest: SnapshotManifest = {
    format: 1,
    chromiumMajor: options.chromiumMajor,
    takenAt: new Date().toISOString(),
    folders,
  };
  await writeFile(path.join(into, snapshotManifestName), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Copies a folder the browser may be writing; `LOCK` files (held by the browser) are left out. */
async function copyWhileWritten(source: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await rm(target, { recursive: true, force: true });
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await cp(source, target, {
        recursive: true,
        verbatimSymlinks: true,
        filter: (file) => path.basename(file) !== "LOCK",
      });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt === copyAttempts) throw error;
    }
  }
}
