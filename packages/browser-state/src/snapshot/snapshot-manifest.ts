import path from "node:path";
import { z } from "zod";
import { originOfIndexedDbFolder } from "../capture/profile-origins.js";

/**
 * A storage snapshot: folders of a Chromium profile copied byte for byte,
 * for the browser data page script cannot serialise (service worker
 * registrations with their scripts and Cache Storage, the origin private
 * file system, IndexedDB values such as a non-extractable CryptoKey or a
 * Blob). On disk it is a user-data-dir subset plus `webrun-snapshot.json`,
 * this manifest: which Chromium major wrote the folders (their formats are
 * that version's) and every file with its size and SHA-256, so a corrupt or
 * tampered folder is refused rather than handed to Chromium.
 */

export const snapshotManifestName = "webrun-snapshot.json";

/**
 * Where a stored profile (an environment archive's `profile/`, a version's
 * profile files) keeps a storage snapshot: Chromium ignores the folder, and
 * `launchSeeded` seeds it from a `profileTemplateDir` by itself.
 */
export const storageSnapshotFolder = "webrun-snapshot";

/** The folders a snapshot may hold, as Chromium 156 lays them out in a profile. */
export const serviceWorkerFolder = "Default/Service Worker";
export const fileSystemFolder = "Default/File System";
const indexedDbFolder = /^Default\/IndexedDB\/[a-z][a-z0-9+.-]*_[^/]+_\d+\.indexeddb\.(leveldb|blob)$/;

/** Whether `folder` is one a snapshot may write into a profile. */
export function isSnapshotFolder(folder: string): boolean {
  return folder === serviceWorkerFolder || folder === fileSystemFolder || indexedDbFolder.test(folder);
}

const snapshotFileSchema = z.strictObject({
  /** Relative to the folder, `/`-separated. */
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const snapshotFolderSchema = z.strictObject({
  /** Relative to the user-data-dir, e.g. `Default/Service Worker`. */
  folder: z.string().refine(isSnapshotFolder, "not a folder a storage snapshot may hold"),
  /** What the folder holds, for reports: `service workers and Cache Storage`, `OPFS`, `IndexedDB of <origin>`. */
  label: z.string().min(1).max(300),
  files: z.array(snapshotFileSchema),
});

export const snapshotManifestSchema = z.strictObject({
  format: z.literal(1),
  /** The major version of the Chromium whose profile the folders were copied from. */
  chromiumMajor: z.number().int().positive(),
  takenAt: z.iso.datetime(),
  folders: z.array(snapshotFolderSchema),
});

export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;
export type SnapshotFolder = SnapshotManifest["folders"][number];

/** The origin an IndexedDB snapshot folder (`.leveldb` or its `.blob` twin) belongs to; `undefined` for other folders. */
export function indexedDbOriginOf(folder: string): string | undefined {
  if (!indexedDbFolder.test(folder)) return undefined;
  return originOfIndexedDbFolder(
    path.posix.basename(folder).replace(/\.indexeddb\.blob$/, ".indexeddb.leveldb"),
  );
}
