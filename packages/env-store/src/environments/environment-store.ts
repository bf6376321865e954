import type { Readable } from "node:stream";
import type { EnvironmentInput, EnvironmentUpdate } from "@webrun/api-contract";
import type { BlobStore } from "@webrun/blob-store";
import type { ValueHash } from "@webrun/state";
import type { ProfileInspector } from "../archive/ingest-profile.js";
import type { ArchiveLimits } from "../archive/limits.js";
import type { EnvironmentArchiveLimits } from "../archive/unpack-environment.js";
import {
  exportArchive,
  importArchive,
  importArchiveMerged,
  importProfileArchive,
} from "./archive-interchange.js";
import {
  type Clock,
  createManifestCache,
  type EnvironmentLimits,
  resolveLimits,
  type StoreContext,
} from "./context.js";
import {
  createEnvironment,
  deleteEnvironment,
  describeEnvironment,
  getEnvironment,
  listEnvironments,
  markEnvironmentUsed,
  updateEnvironment,
} from "./environments.js";
import { collectGarbage, type GarbageReport } from "./garbage-collector.js";
import { type MergeSaveInput, type MergeSaveResult, saveMerged } from "./merge-save.js";
import type { Environment } from "./schemas.js";
import { openStateDocument, type StateDocument } from "./state-document.js";
import { diffVersions, type VersionDiff } from "./version-diff.js";
import {
  type LoadedVersion,
  loadVersion,
  rollbackVersion,
  type SaveResult,
  type SaveVersionInput,
  saveVersion,
  type VersionInfo,
  versionHistory,
} from "./versions.js";

export interface EnvironmentStoreOptions {
  /**
   * Where everything lives. Pass `createEncryptedBlobStore(driver, keyring)`
   * so browser data is encrypted at rest; this store adds no database of
   * its own, so any number of processes may share one bucket.
   */
  store: BlobStore;
  limits?: Partial<EnvironmentLimits>;
  clock?: Clock;
  /**
   * Lists the origins and extensions of an uploaded raw profile for its
   * summary: pass `inspectProfile` from `@webrun/browser-state/inspect-profile`.
   * Without one, uploads are stored the same and their summary lists none.
   */
  inspectProfile?: ProfileInspector;
}

/** Environments with versions, for one user at a time (every call names the user; another user's ids read as not found). */
export interface EnvironmentStore {
  readonly limits: EnvironmentLimits;
  create(userId: string, input: EnvironmentInput): Promise<Environment>;
  /** Newest first. */
  list(userId: string): Promise<Environment[]>;
  get(userId: string, envId: string): Promise<Environment>;
  /** The environment and its kept versions (newest first) from one read: `get` and `history` together. */
  describe(userId: string, envId: string): Promise<{ environment: Environment; versions: VersionInfo[] }>;
  update(userId: string, envId: string, input: EnvironmentUpdate): Promise<Environment>;
  /** Removes the environment, its versions and parts. Attached files are the file service's to delete. */
  delete(userId: string, envId: string): Promise<void>;
  markUsed(userId: string, envId: string): Promise<Environment>;
  saveVersion(userId: string, envId: string, input: SaveVersionInput): Promise<SaveResult>;
  /** A session's save, merged three-way into whatever was saved since its base (see `saveMerged`). */
  saveMerged(userId: string, envId: string, input: MergeSaveInput): Promise<MergeSaveResult>;
  /** Kept versions, newest first. */
  history(userId: string, envId: string): Promise<VersionInfo[]>;
  /**
   * The state document of a kept version (the head by default) as the bytes
   * validated when it was saved, streamed and verified part by part: what an
   * HTTP answer sends without parsing it again. `ENVIRONMENT_EMPTY` before the first save.
   */
  openStateDocument(userId: string, envId: string, version?: number): Promise<StateDocument>;
  /** The head by default; `ENVIRONMENT_EMPTY` before the first save. */
  loadVersion(userId: string, envId: string, version?: number): Promise<LoadedVersion>;
  /**
   * What changed from version `from` to version `to` (both kept; else
   * `VERSION_NOT_FOUND` naming the kept range). `hash` fingerprints changed
   * values: key it per user with a secret, so fingerprints cannot be guessed.
   */
  diff(userId: string, envId: string, from: number, to: number, hash: ValueHash): Promise<VersionDiff>;
  rollback(
    userId: string,
    envId: string,
    version: number,
    options?: { baseVersion?: number | null },
  ): Promise<SaveResult>;
  exportArchive(userId: string, envId: string, version?: number): Promise<Readable>;
  importArchive(
    userId: string,
    envId: string,
    source: Readable,
    options?: { baseVersion?: number | null; limits?: Partial<EnvironmentArchiveLimits> },
  ): Promise<SaveResult>;
  /**
   * An environment archive saved by a session, merged like `saveMerged`: its
   * `profile/webrun-snapshot/…` files replace the head's storage snapshot
   * (`dropSnapshot`, a reason, drops it when it carries none); any other
   * profile file is refused.
   */
  importArchiveMerged(
    userId: string,
    envId: string,
    source: Readable,
    options: { mergeBase: number | null; limits?: Partial<EnvironmentArchiveLimits>; dropSnapshot?: string },
  ): Promise<MergeSaveResult>;
  /** A raw Chrome profile upload (`.tar.gz`) replacing the browser data; status `uploading` while it streams. */
  importProfileArchive(
    userId: string,
    envId: string,
    source: Readable,
    options?: { baseVersion?: number | null; limits?: Partial<ArchiveLimits> },
  ): Promise<SaveResult>;
  /** Safe to run at any time, from any process, concurrently with saves (see `garbage-collector.ts`). */
  collectGarbage(options?: { userId?: string }): Promise<GarbageReport>;
}

/** Builds the environment store over a BlobStore. */
export function createEnvironmentStore(options: EnvironmentStoreOptions): EnvironmentStore {
  const context: StoreContext = {
    store: options.store,
    limits: resolveLimits(options.limits),
    clock: options.clock ?? { now: () => new Date() },
    manifests: createManifestCache(),
    ...(options.inspectProfile ? { inspectProfile: options.inspectProfile } : {}),
  };
  return {
    limits: context.limits,
    create: (userId, input) => createEnvironment(context, userId, input),
    list: (userId) => listEnvironments(context, userId),
    get: (userId, envId) => getEnvironment(context, userId, envId),
    describe: (userId, envId) => describeEnvironment(context, userId, envId),
    update: (userId, envId, input) => updateEnvironment(context, userId, envId, input),
    delete: (userId, envId) => deleteEnvironment(context, userId, envId),
    markUsed: (userId, envId) => markEnvironmentUsed(context, userId, envId),
    saveVersion: (userId, envId, input) => saveVersion(context, userId, envId, input),
    saveMerged: (userId, envId, input) => saveMerged(context, userId, envId, input),
    history: (userId, envId) => versionHistory(context, userId, envId),
    openStateDocument: (userId, envId, version) => openStateDocument(context, userId, envId, version),
    loadVersion: (userId, envId, version) => loadVersion(context, userId, envId, version),
    diff: (userId, envId, from, to, hash) => diffVersions(context, userId, envId, from, to, hash),
    rollback: (userId, envId, version, rollbackOptions) =>
      rollbackVersion(context, userId, envId, version, rollbackOptions),
    exportArchive: (userId, envId, version) => exportArchive(context, userId, envId, version),
    importArchive: (userId, envId, source, importOptions) =>
      importArchive(context, userId, envId, source, importOptions),
    importArchiveMerged: (userId, envId, source, importOptions) =>
      importArchiveMerged(context, userId, envId, source, importOptions),
    importProfileArchive: (userId, envId, source, importOptions) =>
      importProfileArchive(context, userId, envId, source, importOptions),
    collectGarbage: (gcOptions) => collectGarbage(context, gcOptions),
  };
}
