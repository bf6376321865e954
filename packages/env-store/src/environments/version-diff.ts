import {
  type Changed,
  diffFiles,
  diffStates,
  type FileRef,
  type StateDiff,
  type ValueHash,
} from "@webrun/state";
import type { StoreContext } from "./context.js";
import { loadVersion } from "./versions.js";

/**
 * What changed from one kept version to another, unit by unit: the state's
 * units (extension files among them) and the raw profile's files. Values are
 * never part of it: a changed value shows as two short keyed hashes (`hash`),
 * so two diffs can be compared without revealing what was stored.
 */
export interface VersionDiff {
  environmentId: string;
  from: { version: number; savedAt: string };
  to: { version: number; savedAt: string };
  state: StateDiff;
  /** A raw profile upload's files, by path, compared by SHA-256. */
  profileFiles: Changed<FileRef>;
}

export async function diffVersions(
  context: StoreContext,
  userId: string,
  envId: string,
  from: number,
  to: number,
  hash: ValueHash,
): Promise<VersionDiff> {
  const [before, after] = await Promise.all([
    loadVersion(context, userId, envId, from),
    loadVersion(context, userId, envId, to),
  ]);
  return {
    environmentId: envId,
    from: { version: before.version, savedAt: before.savedAt },
    to: { version: after.version, savedAt: after.savedAt },
    state: diffStates(before.state, after.state, hash),
    profileFiles: diffFiles(before.profileFiles, after.profileFiles, hash),
  };
}
