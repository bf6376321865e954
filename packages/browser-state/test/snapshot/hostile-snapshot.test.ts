import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type SnapshotFolder, seedStorageSnapshot, snapshotManifestName } from "../../src/index.js";

let dir: string;
let snapshot: string;
let profile: string;
let outside: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "webrun-hostile-snapshot-"));
  snapshot = path.join(dir, "snapshot");
  profile = path.join(dir, "profile");
  outside = path.join(dir, "outside");
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, "secret"), "not for the profile");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const digest = (text: string) => ({
  size: Buffer.byteLength(text),
  sha256: createHash("sha256").update(text).digest("hex"),
});

/** Writes a file of the snapshot and returns its manifest entry. */
async function snapshotFile(folder: string, relative: string, text: string) {
  const file = path.join(snapshot, ...folder.split("/"), relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return { path: relative, ...digest(text) };
}

/** A snapshot whose OPFS folder is sound, plus `hostile` folders; seeded into a fresh profile. */
async function seedWith(hostile: SnapshotFolder[] | ((opfs: SnapshotFolder) => SnapshotFolder[])) {
  const opfs: SnapshotFolder = {
    folder: "Default/File System",
    label: "origin private file system (OPFS)",
    files: [await snapshotFile("Default/File System", "000/t/00/00000001", "token")],
  };
  const folders = typeof hostile === "function" ? hostile(opfs) : [opfs, ...hostile];
  await writeFile(
    path.join(snapshot, snapshotManifestName),
    JSON.stringify({ format: 1, chromiumMajor: 156, takenAt: new Date().toISOString(), folders }),
  );
  return seedStorageSnapshot(profile, snapshot, { chromiumMajor: 156 });
}

/** Every file now in the profile, relative to it. */
async function profileFiles(): Promise<string[]> {
  if (!existsSync(profile)) return [];
  const entries = await readdir(profile, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() || entry.isSymbolicLink())
    .map((entry) => path.relative(profile, path.join(entry.parentPath, entry.name)))
    .sort();
}

describe("hostile storage snapshots", () => {
  it("a file path that leaves its folder (../, absolute) is refused, naming the folder; the rest is seeded", async () => {
    for (const bad of ["../../../outside/secret", "/etc/passwd", "a/./b", "a\\..\\b"]) {
      await rm(profile, { recursive: true, force: true });
      const result = await seedWith([
        {
          folder: "Default/Service Worker",
          label: "service worker registrations and Cache Storage",
          files: [{ path: bad, ...digest("x") }],
        },
      ]);
      expect(result.skipped).toEqual([
        `storage snapshot: service worker registrations and Cache Storage (Default/Service Worker) refused: the path ${JSON.stringify(bad)} leaves its folder`,
      ]);
      expect(result.seeded).toEqual(["origin private file system (OPFS)"]);
      expect(await profileFiles()).toEqual(["Default/File System/000/t/00/00000001"]);
    }
  });

  it("a folder outside the few a snapshot may hold refuses the whole manifest", async () => {
    const result = await seedWith((opfs) => [opfs, { ...opfs, folder: "Default/../../outside" }]);
    expect(result.seeded).toEqual([]);
    expect(result.skipped).toEqual([
      `storage snapshot refused: ${snapshotManifestName}: folders.1.folder: not a folder a storage snapshot may hold; seeded from the portable document alone`,
    ]);
    expect(await profileFiles()).toEqual([]);
  });

  it("a file that is a link, or a folder reached through one, is refused rather than followed", async () => {
    const linked = path.join(snapshot, "Default", "Service Worker", "Database");
    await mkdir(linked, { recursive: true });
    await symlink(path.join(outside, "secret"), path.join(linked, "CURRENT"));
    const indexedDb = path.join(snapshot, "Default", "IndexedDB");
    await mkdir(indexedDb, { recursive: true });
    await symlink(outside, path.join(indexedDb, "https_a.test_0.indexeddb.leveldb"));
    const result = await seedWith([
      {
        folder: "Default/Service Worker",
        label: "service worker registrations and Cache Storage",
        files: [{ path: "Database/CURRENT", ...digest("not for the profile") }],
      },
      {
        folder: "Default/IndexedDB/https_a.test_0.indexeddb.leveldb",
        label: "IndexedDB of https://a.test",
        files: [{ path: "secret", ...digest("not for the profile") }],
      },
    ]);
    expect(result.skipped).toEqual([
      "storage snapshot: service worker registrations and Cache Storage (Default/Service Worker) refused: Database/CURRENT is a link",
      "storage snapshot: IndexedDB of https://a.test (Default/IndexedDB/https_a.test_0.indexeddb.leveldb) refused: secret is reached through a link out of the snapshot",
    ]);
    expect(result.indexedDbOrigins.size).toBe(0);
    expect(await profileFiles()).toEqual(["Default/File System/000/t/00/00000001"]);
  });

  it("a missing file refuses its folder", async () => {
    const result = await seedWith([
      {
        folder: "Default/IndexedDB/https_a.test_0.indexeddb.leveldb",
        label: "IndexedDB of https://a.test",
        files: [{ path: "CURRENT", ...digest("MANIFEST-000001\n") }],
      },
    ]);
    expect(result.skipped).toEqual([
      "storage snapshot: IndexedDB of https://a.test (Default/IndexedDB/https_a.test_0.indexeddb.leveldb) refused: CURRENT is missing",
    ]);
  });
});
