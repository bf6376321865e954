import { createReadStream } from "node:fs";
import { digestFile } from "../archive/content-digest.js";
import { listProfileFiles } from "../archive/profile-walk.js";
import { mergedSnapshotPathInvalid } from "../errors.js";
import type { ContentWriter } from "./content.js";
import type { VersionManifest } from "./schemas.js";

/**
 * Where a stored profile keeps a storage snapshot (`webrun-snapshot/`, the
 * folder @webrun/browser-state writes and seeds; this package reads no
 * browser code, so the name is repeated here).
 */
export const STORAGE_SNAPSHOT_PREFIX = "webrun-snapshot/";

type ProfileFileRef = VersionManifest["profileFiles"][number];
type FileDigest = { path: string; sha256: string };

/**
 * What a merged save does with the head's storage snapshot. A snapshot is
 * copied folders of a profile: it cannot be merged three-way, so a session
 * either brings a fresh one (it replaces the head's: the last save wins),
 * or asks for the head's to be dropped (it could not refresh it, and a stale
 * one would override newer data); without either, the head's is kept.
 */
export type SnapshotSave = { dir: string } | { drop: string };

/** What the merged version holds as its storage snapshot, and why; `null` when neither side had one. */
export interface SnapshotOutcome {
  outcome: "replaced" | "kept" | "dropped";
  reason: string;
}

/** A session's snapshot files, staged once for every merge round. */
export type StagedSnapshot = { files: readonly ProfileFileRef[] } | { drop: string };

/** Whether a profile file path belongs to the storage snapshot. */
export function isSnapshotPath(path: string): boolean {
  return path.startsWith(STORAGE_SNAPSHOT_PREFIX);
}

/**
 * Uploads the files of a folder holding `webrun-snapshot/…` (and nothing
 * else: any other path is refused), parts the store holds reused.
 */
export async function stageSnapshotDir(writer: ContentWriter, dir: string): Promise<ProfileFileRef[]> {
  const refs: ProfileFileRef[] = [];
  for (const file of await listProfileFiles(dir)) {
    if (!isSnapshotPath(file.path)) throw mergedSnapshotPathInvalid(file.path);
    const digest = await digestFile(file.absolutePath);
    const ref = await writer.storeFile(
      digest,
      () => createReadStream(file.absolutePath),
      true,
      `profile/${file.path}`,
    );
    refs.push({ ...ref, path: file.path });
  }
  return refs;
}

/**
 * The merged version's profile files: the head's raw profile files as they
 * are, and the storage snapshot the session's save decides (see {@link SnapshotSave}).
 * `base` is the snapshot the session started from: when the head's differs
 * from it, a save made since replaced it, and replacing it again is said so.
 */
export function mergeSnapshotFiles(
  head: readonly ProfileFileRef[],
  base: readonly { path: string; sha256: string }[],
  staged: StagedSnapshot | undefined,
  versions: { head: number | null; base: number | null },
): { profileFiles: ProfileFileRef[]; snapshot: SnapshotOutcome | null } {
  const raw = head.filter((file) => !isSnapshotPath(file.path));
  const headSnapshot = head.filter((file) => isSnapshotPath(file.path));
  if (staged === undefined) {
    return {
      profileFiles: [...head],
      snapshot:
        headSnapshot.length === 0
          ? null
          : {
              outcome: "kept",
              reason: "this save carried no storage snapshot: the head's is kept as it was",
            },
    };
  }
  if ("drop" in staged || staged.files.length === 0) {
    const reason =
      "drop" in staged
        ? staged.drop
        : "the session's profile holds nothing a storage snapshot keeps (no service worker, OPFS or IndexedDB value JSON cannot carry)";
    return {
      profileFiles: raw,
      snapshot: headSnapshot.length === 0 ? null : { outcome: "dropped", reason },
    };
  }
  const changedSinceBase = versions.head !== versions.base && !sameFiles(headSnapshot, base);
  return {
    profileFiles: [...raw, ...staged.files],
    snapshot: {
      outcome: "replaced",
      reason: changedSinceBase
        ? `version ${versions.head}'s storage snapshot, saved since this session's base (${versions.base ?? "none"}), ` +
          "was replaced by this session's, made from that older base: a snapshot cannot be merged, the session that saves last wins"
        : headSnapshot.length === 0
          ? "this session's storage snapshot is the environment's first"
          : "this session's fresh storage snapshot replaced the head's",
    },
  };
}

function sameFiles(a: readonly FileDigest[], b: readonly FileDigest[]): boolean {
  const key = (files: readonly FileDigest[]) =>
    files
      .map((file) => `${file.path}\0${file.sha256}`)
      .sort()
      .join("\n");
  return key(a) === key(b);
}
