import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { VersionInfo } from "@webrun/api-contract";
import { readAll } from "@webrun/blob-store";
import {
  type BrowserState,
  type BrowserStateInput,
  type ExtensionState,
  parseBrowserState,
} from "@webrun/state";
import { digestFile } from "../archive/content-digest.js";
import type { ProfileSummary } from "../archive/ingest-profile.js";
import type { ExtensionFileSource } from "../archive/pack-environment.js";
import { listProfileFiles } from "../archive/profile-walk.js";
import { envStoreError, noBrowserData, versionConflict, versionNotFound } from "../errors.js";
import { commitVersion, type VersionBody } from "./commit.js";
import { mapConcurrently } from "./concurrency.js";
import { ContentWriter, openContent } from "./content.js";
import type { StoreContext } from "./context.js";
import { readJson, type Versioned } from "./json-object.js";
import { prefetchInOrder } from "./prefetch.js";
import { readRecord, toEnvironment, updateRecord, updateVersionedRecord } from "./records.js";
import {
  type ContentRef,
  type Environment,
  type EnvironmentRecord,
  manifestSchema,
  type VersionEntry,
  type VersionManifest,
  type VersionSummary,
} from "./schemas.js";
import { joinState } from "./state-parts.js";
import { summarize } from "./summary.js";

export interface SaveVersionInput {
  state: BrowserState | BrowserStateInput;
  /** Bytes of extension files the state lists without `contentBase64`; opened only for files the head does not already hold. */
  extensionFiles?: ExtensionFileSource;
  /** A raw Chrome profile (e.g. a safely extracted upload) to keep with the version; caches and locks are skipped. */
  profileDir?: string;
  /** What the profile was found to hold (`ingestProfileArchive`'s summary), shown without a download. */
  profileSummary?: ProfileSummary;
  /**
   * The version this save was based on (`null`: an environment with no
   * version yet). When the head has moved since, the save fails with
   * VERSION_CONFLICT (`details.currentVersion`) instead of overwriting.
   * Omitted: last writer wins, still atomically.
   */
  baseVersion?: number | null;
}

export interface SaveResult {
  environment: Environment;
  version: number;
  /** Plaintext bytes written by this save: new parts plus the manifest. A cookie-only change writes only the state. */
  bytesUploaded: number;
  summary: VersionSummary;
}

/** A kept version as the API lists it: the contract's shape. */
export type { VersionInfo };

/** A stored version, read lazily: the state is in memory, file bytes stream on demand and are verified against their SHA-256. */
export interface LoadedVersion {
  environmentId: string;
  version: number;
  savedAt: string;
  summary: VersionSummary;
  /** Extension files are listed (path, size, sha256) without `contentBase64`. */
  state: BrowserState;
  extensionFiles: readonly { extensionId: string; path: string; size: number; sha256: string }[];
  profileFiles: readonly { path: string; size: number; sha256: string }[];
  /** Same shape as `packEnvironmentArchive`'s `extensionFiles`. */
  openExtensionFile: ExtensionFileSource;
  openProfileFile(path: string): Promise<Readable>;
  /**
   * Every extension file, then every profile file, in manifest order, with
   * several downloads in flight ahead of the consumer. Read each body before
   * asking for the next; stopping early releases the rest.
   */
  files(): AsyncGenerator<LoadedFile>;
}

export type LoadedFile =
  | { kind: "extension"; extensionId: string; path: string; size: number; sha256: string; body: Readable }
  | { kind: "profile"; path: string; size: number; sha256: string; body: Readable };

async function headManifest(
  context: StoreContext,
  record: EnvironmentRecord,
): Promise<VersionManifest | undefined> {
  const head = record.versions.at(-1);
  return head && (await readManifest(context, head));
}

/** The parts of the record's head, which a save may reuse instead of uploading again. */
export async function headParts(context: StoreContext, record: EnvironmentRecord): Promise<ContentRef[]> {
  return reusableParts(await headManifest(context, record));
}

/** A version's manifest: immutable, so read from the store once per process (`StoreContext.manifests`). */
export async function readManifest(context: StoreContext, entry: VersionEntry): Promise<VersionManifest> {
  const cached = context.manifests.get(entry.manifestKey);
  if (cached) return cached;
  const found = await readJson(context.store, entry.manifestKey, manifestSchema);
  if (!found)
    throw envStoreError({
      kind: "integrity",
      code: "VERSION_MANIFEST_MISSING",
      message: `manifest of version ${entry.version} is missing`,
    });
  context.manifests.set(entry.manifestKey, found.value);
  return found.value;
}

function reusableParts(manifest: VersionManifest | undefined): ContentRef[] {
  if (!manifest) return [];
  return [manifest.state, ...manifest.originGroups, ...manifest.extensionFiles, ...manifest.profileFiles].map(
    ({ key, size, sha256 }) => ({
      key,
      size,
      sha256,
    }),
  );
}

function extensionFileOpener(
  extension: ExtensionState,
  file: ExtensionState["files"][number],
  source: ExtensionFileSource | undefined,
): () => Readable | Promise<Readable> {
  return async () => {
    if (file.contentBase64 !== undefined) return Readable.from([Buffer.from(file.contentBase64, "base64")]);
    if (!source)
      throw envStoreError({
        kind: "invalid_input",
        code: "EXTENSION_FILE_MISSING",
        message: `extension ${extension.id} lists ${JSON.stringify(file.path)} but no bytes were given for it`,
      });
    return source(extension.id, file.path);
  };
}

/** Marks a raw upload as in flight (status `uploading`); returns the mark so only this save clears it. */
async function markUploading(
  context: StoreContext,
  userId: string,
  envId: string,
): Promise<{ mark: string; record: Versioned<EnvironmentRecord> }> {
  const mark = context.clock.now().toISOString();
  const record = await updateVersionedRecord(context, userId, envId, (current) => ({
    ...current,
    uploadingSince: mark,
  }));
  return { mark, record };
}

async function clearUploadMark(
  context: StoreContext,
  userId: string,
  envId: string,
  mark: string,
): Promise<void> {
  await updateRecord(context, userId, envId, (record) =>
    record.uploadingSince === mark ? { ...record, uploadingSince: null } : record,
  ).catch(() => {});
}

/** The parts of a save as they are stored, gathered by `saveVersion` or an archive import. */
export interface StoredParts {
  state: BrowserState;
  extensionFiles: VersionManifest["extensionFiles"];
  profileFiles: VersionManifest["profileFiles"];
  profileSummary?: ProfileSummary | undefined;
}

/**
 * The frame every save runs in: stale-base check before any upload, the
 * `uploading` mark for raw uploads, a ContentWriter primed with the head's
 * parts for dedup, then the commit — and on any failure, removal of what
 * was uploaded and of the mark.
 */
export async function runSave(
  context: StoreContext,
  userId: string,
  envId: string,
  options: {
    baseVersion: number | null | undefined;
    uploading: boolean;
    /** When the save began, if before this call (the save deadline counts from it). */
    startedAt?: number;
    /** Parts this save uploaded before (an archive's files, staged once for every merge round); reused like the head's. */
    staged?: readonly ContentRef[];
  },
  gather: (writer: ContentWriter) => Promise<StoredParts>,
): Promise<SaveResult> {
  const startedAt = options.startedAt ?? context.clock.now().getTime();
  const read = await readRecord(context, userId, envId);
  const head = read.value.versions.at(-1)?.version ?? null;
  // Fail before uploading anything when the base is already stale; the commit checks again.
  if (options.baseVersion !== undefined && options.baseVersion !== head) throw versionConflict(head);
  const marked = options.uploading ? await markUploading(context, userId, envId) : undefined;
  const uploadMark = marked?.mark;
  const current = marked?.record ?? read;
  // The head's parts win over staged copies of the same bytes: they stay referenced.
  const writer = new ContentWriter(context.store, userId, envId, [
    ...(options.staged ?? []),
    ...(await headParts(context, current.value)),
  ]);
  try {
    const parts = await gather(writer);
    const { state, originGroups, stateBytes } = await writer.storeState(
      parts.state,
      context.limits.transferConcurrency,
    );
    const body: VersionBody = {
      state,
      originGroups,
      extensionFiles: parts.extensionFiles,
      profileFiles: parts.profileFiles,
      summary: summarize({
        state: parts.state,
        stateBytes,
        extensionBytes: sum(parts.extensionFiles),
        profileFiles: parts.profileFiles.length,
        profileBytes: sum(parts.profileFiles),
        profile: parts.profileSummary,
        now: context.clock.now(),
      }),
    };
    const committed = await commitVersion(context, {
      userId,
      envId,
      body,
      baseVersion: options.baseVersion,
      startedAt,
      writer,
      record: current,
      ...(uploadMark ? { uploadMark } : {}),
    });
    return {
      environment: toEnvironment(context, committed.record),
      version: committed.version,
      bytesUploaded: committed.bytesUploaded,
      summary: body.summary,
    };
  } catch (error) {
    await writer.discard();
    if (uploadMark) await clearUploadMark(context, userId, envId, uploadMark);
    throw error;
  }
}

/**
 * Saves a new version: parts the head already holds are reused, the rest
 * are uploaded (extension files verified against the SHA-256 the state
 * lists), then the version is committed (see `commitVersion`).
 */
export async function saveVersion(
  context: StoreContext,
  userId: string,
  envId: string,
  input: SaveVersionInput,
): Promise<SaveResult> {
  const state = parseBrowserState(input.state);
  const concurrency = context.limits.transferConcurrency;
  return runSave(
    context,
    userId,
    envId,
    { baseVersion: input.baseVersion, uploading: input.profileDir !== undefined },
    async (writer) => {
      // The state's parts go up while the files do.
      void writer.storeState(state, concurrency);
      const extensionFiles = await storeExtensionFiles(context, writer, state, input.extensionFiles);
      const profile = input.profileDir ? await listProfileFiles(input.profileDir) : [];
      const profileFiles = await mapConcurrently(profile, concurrency, async (file) => {
        const digest = await digestFile(file.absolutePath);
        const open = () => createReadStream(file.absolutePath);
        return { ...(await writer.storeFile(digest, open, true, `profile/${file.path}`)), path: file.path };
      });
      return { state, extensionFiles, profileFiles, profileSummary: input.profileSummary };
    },
  );
}

/** Stores the files of every extension the state lists; files the head already holds are reused, not opened. */
export function storeExtensionFiles(
  context: StoreContext,
  writer: ContentWriter,
  state: BrowserState,
  source: ExtensionFileSource | undefined,
): Promise<VersionManifest["extensionFiles"]> {
  const files = state.extensions.flatMap((extension) => extension.files.map((file) => ({ extension, file })));
  return mapConcurrently(files, context.limits.transferConcurrency, async ({ extension, file }) => {
    const ref = await writer.storeFile(
      file,
      extensionFileOpener(extension, file, source),
      true,
      `extensions/${extension.id}/${file.path}`,
    );
    return { ...ref, extensionId: extension.id, path: file.path };
  });
}

function sum(parts: readonly { size: number }[]): number {
  return parts.reduce((total, part) => total + part.size, 0);
}

/**
 * Makes an old version the head again by committing a new version with the
 * same parts (nothing is copied, nothing in history is rewritten).
 */
export async function rollbackVersion(
  context: StoreContext,
  userId: string,
  envId: string,
  version: number,
  options: { baseVersion?: number | null } = {},
): Promise<SaveResult> {
  const startedAt = context.clock.now().getTime();
  const current = await readRecord(context, userId, envId);
  const entry = current.value.versions.find((candidate) => candidate.version === version);
  if (!entry) throw versionNotFound(version, current.value.versions);
  const manifest = await readManifest(context, entry);
  const writer = new ContentWriter(context.store, userId, envId, []);
  const committed = await commitVersion(context, {
    userId,
    envId,
    body: {
      state: manifest.state,
      originGroups: manifest.originGroups,
      extensionFiles: manifest.extensionFiles,
      profileFiles: manifest.profileFiles,
      summary: manifest.summary,
      rolledBackFrom: version,
    },
    baseVersion: options.baseVersion,
    startedAt,
    writer,
    record: current,
  });
  return {
    environment: toEnvironment(context, committed.record),
    version: committed.version,
    bytesUploaded: committed.bytesUploaded,
    summary: manifest.summary,
  };
}

/** Kept versions, newest first. */
export async function versionHistory(
  context: StoreContext,
  userId: string,
  envId: string,
): Promise<VersionInfo[]> {
  return historyOf((await readRecord(context, userId, envId)).value);
}

/** The record's kept versions as the API lists them, newest first. */
export function historyOf(record: EnvironmentRecord): VersionInfo[] {
  const headVersion = record.versions.at(-1)?.version;
  return record.versions
    .map((entry) => ({
      version: entry.version,
      savedAt: entry.savedAt,
      totalBytes: entry.totalBytes,
      bytesUploaded: entry.bytesUploaded,
      ...(entry.rolledBackFrom === undefined ? {} : { rolledBackFrom: entry.rolledBackFrom }),
      head: entry.version === headVersion,
    }))
    .reverse();
}

/** The manifest of a kept version (the head by default). */
export async function readVersion(
  context: StoreContext,
  userId: string,
  envId: string,
  version?: number,
): Promise<VersionManifest> {
  const { value } = await readRecord(context, userId, envId);
  const entry =
    version === undefined ? value.versions.at(-1) : value.versions.find((v) => v.version === version);
  if (!entry) throw version === undefined ? noBrowserData() : versionNotFound(version, value.versions);
  return readManifest(context, entry);
}

/** Loads a kept version (the head by default). */
export async function loadVersion(
  context: StoreContext,
  userId: string,
  envId: string,
  version?: number,
): Promise<LoadedVersion> {
  const manifest = await readVersion(context, userId, envId, version);
  const readPart = async (ref: ContentRef, name: string) =>
    readAll(await openContent(context.store, ref, name));
  const [core, ...groups] = await mapConcurrently(
    [manifest.state, ...manifest.originGroups],
    context.limits.transferConcurrency,
    (ref, index) => readPart(ref, index === 0 ? "state.json" : `state origins ${index}`),
  );
  const state = parseBrowserState(joinState(core as Buffer, groups));
  const extensionParts = new Map(
    manifest.extensionFiles.map((file) => [`${file.extensionId}/${file.path}`, file]),
  );
  const profileParts = new Map(manifest.profileFiles.map((file) => [file.path, file]));
  const missing = (what: string) =>
    envStoreError({
      kind: "not_found",
      code: "VERSION_FILE_NOT_FOUND",
      message: `no ${what} in this version`,
    });
  return {
    environmentId: envId,
    version: manifest.version,
    savedAt: manifest.savedAt,
    summary: manifest.summary,
    state,
    extensionFiles: manifest.extensionFiles.map(({ extensionId, path, size, sha256 }) => ({
      extensionId,
      path,
      size,
      sha256,
    })),
    profileFiles: manifest.profileFiles.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
    openExtensionFile: async (extensionId, path) => {
      const part = extensionParts.get(`${extensionId}/${path}`);
      if (!part) throw missing(`extension file ${JSON.stringify(path)}`);
      return openContent(context.store, part, `extensions/${extensionId}/${path}`);
    },
    openProfileFile: async (path) => {
      const part = profileParts.get(path);
      if (!part) throw missing(`profile file ${JSON.stringify(path)}`);
      return openContent(context.store, part, `profile/${path}`);
    },
    files: async function* () {
      const parts = [
        ...manifest.extensionFiles.map((part) => ({ kind: "extension" as const, part })),
        ...manifest.profileFiles.map((part) => ({ kind: "profile" as const, part })),
      ];
      const name = (item: (typeof parts)[number]) =>
        item.kind === "extension"
          ? `extensions/${item.part.extensionId}/${item.part.path}`
          : `profile/${item.part.path}`;
      const ahead = context.limits.transferConcurrency;
      for await (const { item, body } of prefetchInOrder(parts, ahead, (i) =>
        openContent(context.store, i.part, name(i)),
      )) {
        const { path, size, sha256 } = item.part;
        yield item.kind === "extension"
          ? { kind: "extension", extensionId: item.part.extensionId, path, size, sha256, body }
          : { kind: "profile", path, size, sha256, body };
      }
    },
  };
}
