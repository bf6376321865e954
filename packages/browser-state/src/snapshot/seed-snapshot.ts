import { mkdir, readFile, realpath, rename, rm } from "node:fs/promises";
import path from "node:path";
import { digestRegularFile } from "./snapshot-files.js";
import {
  indexedDbOriginOf,
  type SnapshotFolder,
  type SnapshotManifest,
  snapshotManifestName,
  snapshotManifestSchema,
} from "./snapshot-manifest.js";

/** What a storage snapshot put into a profile, and what it did not, with why. */
export interface SnapshotSeedResult {
  /** Labels of the folders written (`OPFS`, `IndexedDB of https://a.test`…). */
  seeded: string[];
  /**
   * Origins whose IndexedDB the snapshot wrote: it holds every value,
   * including those typed JSON cannot carry, so it takes precedence and the
   * portable document's IndexedDB is not written for them.
   */
  indexedDbOrigins: Set<string>;
  /** One line per folder (or the whole snapshot) not seeded, naming it and why; for the seed report. */
  skipped: string[];
}

/**
 * Writes a storage snapshot's folders into a fresh profile before Chromium
 * starts. Only a Chromium of the same major version as the one that wrote
 * them gets them (their on-disk formats are that version's); otherwise
 * nothing is written and the result says so. Each folder is checked on its
 * own — every listed file a regular file inside the folder, of the size
 * and SHA-256 recorded — and a folder that fails is left out and named,
 * the rest seeded. A folder is copied into a staging place and verified
 * there, then moved into the profile whole, so Chromium never sees half of one.
 */
export async function seedStorageSnapshot(
  profileDir: string,
  snapshotDir: string,
  options: { chromiumMajor: number | undefined },
): Promise<SnapshotSeedResult> {
  const result: SnapshotSeedResult = { seeded: [], indexedDbOrigins: new Set(), skipped: [] };
  const manifest = await readManifest(snapshotDir);
  if (typeof manifest === "string") {
    result.skipped.push(`storage snapshot refused: ${manifest}; seeded from the portable document alone`);
    return result;
  }
  if (manifest.chromiumMajor !== options.chromiumMajor) {
    const labels = manifest.folders.map((folder) => folder.label).join(", ");
    result.skipped.push(
      `storage snapshot not seeded: made by Chromium ${manifest.chromiumMajor}, this is ${options.chromiumMajor ?? "an unknown version"} ` +
        `(profile formats differ between versions); seeded from the portable document instead, without: ${labels}`,
    );
    return result;
  }
  const staging = path.join(profileDir, ".webrun-snapshot-staging");
  try {
    for (const [index, folder] of manifest.folders.entries()) {
      const problem = await stageFolder(snapshotDir, folder, path.join(staging, String(index)));
      if (problem !== undefined) {
        result.skipped.push(`storage snapshot: ${folder.label} (${folder.folder}) refused: ${problem}`);
        continue;
      }
      const target = path.join(profileDir, ...folder.folder.split("/"));
      await rm(target, { recursive: true, force: true });
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(staging, String(index)), target);
      result.seeded.push(folder.label);
      const origin = indexedDbOriginOf(folder.folder);
      if (origin !== undefined && folder.folder.endsWith(".leveldb")) result.indexedDbOrigins.add(origin);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return result;
}

/** The manifest, or why it cannot be used. */
async function readManifest(snapshotDir: string): Promise<SnapshotManifest | string> {
  let text: string;
  try {
    text = await readFile(path.join(snapshotDir, snapshotManifestName), "utf8");
  } catch {
    return `no readable ${snapshotManifestName}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return `${snapshotManifestName} is not JSON`;
  }
  const parsed = snapshotManifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return `${snapshotManifestName}: ${issue?.path.join(".") ?? ""}: ${issue?.message ?? "invalid"}`;
  }
  return parsed.data;
}

/**
 * Copies a folder's listed files into `staging`, hashing the bytes as they
 * are copied; returns the problem, if any. A file must be a regular file
 * (`O_NOFOLLOW`) whose real folder is inside the snapshot: a link, at the end
 * or on the way, is refused rather than followed out of it.
 */
async function stageFolder(
  snapshotDir: string,
  folder: SnapshotFolder,
  staging: string,
): Promise<string | undefined> {
  const realRoot = await realpath(snapshotDir);
  const sourceRoot = path.join(snapshotDir, ...folder.folder.split("/"));
  for (const file of folder.files) {
    if (!isPlainRelativePath(file.path)) return `the path ${JSON.stringify(file.path)} leaves its folder`;
    const source = path.join(sourceRoot, ...file.path.split("/"));
    const target = path.join(staging, ...file.path.split("/"));
    try {
      const realDir = await realpath(path.dirname(source));
      if (realDir !== realRoot && !realDir.startsWith(`${realRoot}${path.sep}`)) {
        return `${file.path} is reached through a link out of the snapshot`;
      }
      await mkdir(path.dirname(target), { recursive: true });
      const copied = await digestRegularFile(source, target);
      if (copied.size !== file.size || copied.sha256 !== file.sha256) {
        return `${file.path} does not match its recorded size and SHA-256`;
      }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ELOOP") return `${file.path} is a link`;
      if (code === "ENOENT") return `${file.path} is missing`;
      return `${file.path} cannot be read (${code ?? "error"})`;
    }
  }
  return undefined;
}

/** `a/b/c`: relative, no empty, `.` or `..` segment, no backslash or NUL. */
function isPlainRelativePath(relative: string): boolean {
  if (relative.startsWith("/") || relative.includes("\\") || relative.includes("\0")) return false;
  return relative.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}
