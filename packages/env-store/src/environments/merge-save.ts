import { isWebrunError } from "@webrun/errors";
import {
  type BrowserState,
  type BrowserStateInput,
  emptyBrowserState,
  type MergeReport,
  mergeStates,
  parseBrowserState,
  type StateChanges,
  stateChanges,
} from "@webrun/state";
import type { ProfileSummary } from "../archive/ingest-profile.js";
import type { ExtensionFileSource } from "../archive/pack-environment.js";
import { mergeBaseNotKept, storeContention } from "../errors.js";
import { ContentWriter } from "./content.js";
import type { StoreContext } from "./context.js";
import {
  isSnapshotPath,
  mergeSnapshotFiles,
  type SnapshotOutcome,
  type SnapshotSave,
  type StagedSnapshot,
  stageSnapshotDir,
} from "./merge-snapshot.js";
import { readRecord } from "./records.js";
import type { ContentRef, EnvironmentRecord } from "./schemas.js";
import {
  headParts,
  loadVersion,
  readManifest,
  runSave,
  type SaveResult,
  storeExtensionFiles,
} from "./versions.js";

export interface MergeSaveInput {
  state: BrowserState | BrowserStateInput;
  extensionFiles?: ExtensionFileSource;
  /** The version the session started from; `null` for an environment that had none. */
  mergeBase: number | null;
  /**
   * The session's storage snapshot: `{ dir }`, a folder holding
   * `webrun-snapshot/…` (it replaces the head's), or `{ drop: reason }`;
   * without it the head's is kept (see `SnapshotSave`).
   */
  snapshot?: SnapshotSave;
}

/** What a merged save did, for the session's receipt. */
export interface MergeOutcome {
  baseVersion: number | null;
  /** False when the head was still the base: the save committed as it was. */
  merged: boolean;
  /** The versions saved since the base that this save was merged with. */
  mergedWith: number[];
  conflicts: number;
  /** What this save changed relative to its base. */
  changes: StateChanges;
  dropped: MergeReport["dropped"];
  /** What became of the storage snapshot, and why; `null` when neither the head nor the save had one. */
  snapshot: SnapshotOutcome | null;
}

export type MergeSaveResult = SaveResult & { merge: MergeOutcome };

/** A session's state as it reaches the merge, and where the bytes of its extension files come from. */
export interface SessionSave {
  ours: BrowserState;
  mergeBase: number | null;
  /** Opened for extension files neither the head nor `staged` holds. */
  extensionFiles?: ExtensionFileSource;
  /** Parts uploaded before the merge (an archive's files), reused by every round. */
  staged?: readonly ContentRef[];
  /** The session's storage snapshot, its files among `staged` (see `SnapshotSave`). */
  snapshot?: StagedSnapshot;
  /** When the save began: the save deadline counts from it, across rounds. */
  startedAt: number;
}

/** A lost race re-merges on the new head; past this many rounds the store is too contended to go on. */
const MAX_MERGE_ROUNDS = 20;

/**
 * Saves a session's state three-way into the head (see `mergeAndCommit`);
 * a snapshot folder is uploaded once, before the merge rounds.
 */
export async function saveMerged(
  context: StoreContext,
  userId: string,
  envId: string,
  input: MergeSaveInput,
): Promise<MergeSaveResult> {
  const startedAt = context.clock.now().getTime();
  const ours = parseBrowserState(input.state);
  const session = {
    ours,
    mergeBase: input.mergeBase,
    ...(input.extensionFiles ? { extensionFiles: input.extensionFiles } : {}),
    startedAt,
  };
  const snapshot = input.snapshot;
  if (snapshot === undefined || "drop" in snapshot) {
    return mergeAndCommit(context, userId, envId, { ...session, ...(snapshot ? { snapshot } : {}) });
  }
  const record = await readKeptBase(context, userId, envId, input.mergeBase);
  const writer = new ContentWriter(context.store, userId, envId, await headParts(context, record));
  try {
    const files = await stageSnapshotDir(writer, snapshot.dir);
    return await mergeAndCommit(context, userId, envId, {
      ...session,
      staged: files,
      snapshot: { files },
    });
  } catch (error) {
    await writer.discard();
    throw error;
  }
}

/**
 * The one way a session's save lands: when versions were saved since
 * `mergeBase`, `base → ours` is merged into the head (see `mergeStates`)
 * instead of replacing it or failing. The commit is a compare-and-swap on the
 * head the merge was made against; a lost race merges again on the new head,
 * so concurrent sessions all end up in the head. The head's raw profile files
 * are kept: a session carries none of its own, only a storage snapshot,
 * which replaces the head's or drops it (see `mergeSnapshotFiles`).
 */
export async function mergeAndCommit(
  context: StoreContext,
  userId: string,
  envId: string,
  session: SessionSave,
): Promise<MergeSaveResult> {
  const { ours, mergeBase } = session;
  await readKeptBase(context, userId, envId, mergeBase);
  const baseVersion = mergeBase === null ? undefined : await loadVersion(context, userId, envId, mergeBase);
  const base = baseVersion?.state ?? emptyBrowserState();
  const baseSnapshot = (baseVersion?.profileFiles ?? []).filter((file) => isSnapshotPath(file.path));
  const changes = stateChanges(base, ours);

  for (let round = 0; round < MAX_MERGE_ROUNDS; round++) {
    const record = await readKeptBase(context, userId, envId, mergeBase);
    const headEntry = record.versions.at(-1);
    const head = headEntry?.version ?? null;
    let state = ours;
    let report: MergeReport | undefined;
    if (head !== mergeBase && headEntry !== undefined) {
      const theirs = (await loadVersion(context, userId, envId, headEntry.version)).state;
      ({ state, report } = mergeStates({ base, ours, theirs, now: context.clock.now() }));
    }
    const headManifest = headEntry && (await readManifest(context, headEntry));
    const { profileFiles, snapshot } = mergeSnapshotFiles(
      headManifest?.profileFiles ?? [],
      baseSnapshot,
      session.snapshot,
      { head, base: mergeBase },
    );
    try {
      const saved = await runSave(
        context,
        userId,
        envId,
        {
          baseVersion: head,
          uploading: false,
          startedAt: session.startedAt,
          ...(session.staged ? { staged: session.staged } : {}),
        },
        async (writer) => ({
          state,
          extensionFiles: await storeExtensionFiles(context, writer, state, session.extensionFiles),
          profileFiles,
          // Written by this package at ingest; stored untyped in the summary schema.
          profileSummary: headManifest?.summary.profile as ProfileSummary | undefined,
        }),
      );
      return {
        ...saved,
        merge: {
          baseVersion: mergeBase,
          merged: report !== undefined,
          mergedWith: record.versions
            .map((entry) => entry.version)
            .filter((version) => version > (mergeBase ?? 0)),
          conflicts: report?.conflicts ?? 0,
          changes,
          dropped: report?.dropped ?? {
            expiredCookies: 0,
            indexedDbRecordsWithoutStore: 0,
            extensionStorageWithoutExtension: 0,
          },
          snapshot,
        },
      };
    } catch (error) {
      if (!isWebrunError(error, "VERSION_CONFLICT")) throw error;
    }
  }
  throw storeContention(`environment ${envId}`);
}

/** The environment's record, once its versions are known to still hold `mergeBase`. */
export async function readKeptBase(
  context: StoreContext,
  userId: string,
  envId: string,
  mergeBase: number | null,
): Promise<EnvironmentRecord> {
  const { value: record } = await readRecord(context, userId, envId);
  if (mergeBase !== null && !record.versions.some((entry) => entry.version === mergeBase)) {
    throw mergeBaseNotKept(mergeBase, record.versions[0]?.version ?? null);
  }
  return record;
}
