import type { Readable } from "node:stream";
import { finished } from "node:stream/promises";
import { emptyBrowserState } from "@webrun/state";
import { ingestProfileArchive } from "../archive/ingest-profile.js";
import type { ArchiveLimits } from "../archive/limits.js";
import { packEnvironmentArchive } from "../archive/pack-environment.js";
import {
  type EnvironmentArchiveLimits,
  type EnvironmentArchiveSinks,
  type ExtensionArchiveFile,
  type ProfileArchiveFile,
  unpackEnvironmentArchive,
} from "../archive/unpack-environment.js";
import { mergedArchiveHasProfile } from "../errors.js";
import { ContentWriter } from "./content.js";
import type { StoreContext } from "./context.js";
import { type MergeSaveResult, mergeAndCommit, readKeptBase } from "./merge-save.js";
import { isSnapshotPath } from "./merge-snapshot.js";
import {
  headParts,
  type LoadedFile,
  loadVersion,
  runSave,
  type SaveResult,
  type StoredParts,
} from "./versions.js";

/**
 * A kept version (the head by default) as an environment archive
 * (`.tar.gz`, see `packEnvironmentArchive`), streamed: the packer asks for
 * extension and profile files in manifest order, and they are served from
 * the version's prefetching reader, so no file is copied to disk first.
 */
export async function exportArchive(
  context: StoreContext,
  userId: string,
  envId: string,
  version?: number,
): Promise<Readable> {
  const loaded = await loadVersion(context, userId, envId, version);
  const files = loaded.files();
  /** The next prefetched body when it is the one asked for; otherwise a direct read. */
  const nextOr = async (
    matches: (file: LoadedFile) => boolean,
    open: () => Readable | Promise<Readable>,
  ): Promise<Readable> => {
    const next = await files.next();
    if (!next.done && matches(next.value)) return next.value.body;
    if (!next.done) next.value.body.destroy();
    return open();
  };
  const archive = packEnvironmentArchive({
    state: loaded.state,
    extensionFiles: (extensionId, path) =>
      nextOr(
        (file) => file.kind === "extension" && file.extensionId === extensionId && file.path === path,
        () => loaded.openExtensionFile(extensionId, path),
      ),
    profileFiles: loaded.profileFiles.map((file) => ({
      ...file,
      open: () =>
        nextOr(
          (next) => next.kind === "profile" && next.path === file.path,
          () => loaded.openProfileFile(file.path),
        ),
    })),
    createdAt: new Date(loaded.savedAt),
  });
  finished(archive)
    .catch(() => {})
    .finally(() => files.return(undefined));
  return archive;
}

/**
 * Stores an environment archive as a new version. Every entry is verified
 * while it streams (size and SHA-256 from the archive's manifest); parts
 * the head already holds are not uploaded again. Nothing becomes visible
 * unless the whole archive was intact and the commit landed.
 */
export function importArchive(
  context: StoreContext,
  userId: string,
  envId: string,
  source: Readable,
  options: { baseVersion?: number | null; limits?: Partial<EnvironmentArchiveLimits> } = {},
): Promise<SaveResult> {
  return runSave(
    context,
    userId,
    envId,
    { baseVersion: options.baseVersion, uploading: true },
    async (writer): Promise<StoredParts> => {
      const files = archiveFileSinks(writer);
      const unpacked = await unpackEnvironmentArchive(source, options.limits ?? {}, files.sinks);
      return {
        state: unpacked.state,
        extensionFiles: files.extensionFiles,
        profileFiles: files.profileFiles,
      };
    },
  );
}

/**
 * An environment archive saved by a session that started from `mergeBase`,
 * merged three-way into whatever was saved since (see `mergeAndCommit`).
 * The archive streams once: its extension files are verified and staged in
 * the store first, then every merge round reuses them. A merge keeps the
 * head's raw profile: the only profile files a merged archive may carry are
 * a storage snapshot's (`profile/webrun-snapshot/…`, which replaces the
 * head's, see `mergeSnapshotFiles`); any other is refused. `dropSnapshot`
 * (a reason) drops the head's snapshot when the archive carries none.
 */
export async function importArchiveMerged(
  context: StoreContext,
  userId: string,
  envId: string,
  source: Readable,
  options: {
    mergeBase: number | null;
    limits?: Partial<EnvironmentArchiveLimits>;
    dropSnapshot?: string;
  },
): Promise<MergeSaveResult> {
  const startedAt = context.clock.now().getTime();
  const record = await readKeptBase(context, userId, envId, options.mergeBase);
  const writer = new ContentWriter(context.store, userId, envId, await headParts(context, record));
  try {
    const files = archiveFileSinks(writer);
    const unpacked = await unpackEnvironmentArchive(source, options.limits ?? {}, {
      extensionFile: files.sinks.extensionFile,
      profileFile: async (file, body) => {
        if (!isSnapshotPath(file.path)) throw mergedArchiveHasProfile(file.path);
        await files.sinks.profileFile(file, body);
      },
    });
    const snapshot =
      files.profileFiles.length > 0
        ? { files: files.profileFiles }
        : options.dropSnapshot === undefined
          ? undefined
          : { drop: options.dropSnapshot };
    return await mergeAndCommit(context, userId, envId, {
      ours: unpacked.state,
      mergeBase: options.mergeBase,
      staged: [...files.extensionFiles, ...files.profileFiles],
      ...(snapshot ? { snapshot } : {}),
      startedAt,
    });
  } catch (error) {
    await writer.discard();
    throw error;
  }
}

/** Sinks storing an archive's files through `writer`, and the parts they stored. */
function archiveFileSinks(writer: ContentWriter) {
  const extensionFiles: StoredParts["extensionFiles"] = [];
  const profileFiles: StoredParts["profileFiles"] = [];
  // Bodies arrive verified by the unpacker; a part the head holds is left unread (the unpacker drains and checks it).
  const sinks = {
    async extensionFile(file: ExtensionArchiveFile, body: Readable) {
      const ref = writer.find(file.sha256) ?? (await writer.upload(file, body, false));
      extensionFiles.push({ ...ref, extensionId: file.extensionId, path: file.path });
    },
    async profileFile(file: ProfileArchiveFile, body: Readable) {
      const ref = writer.find(file.sha256) ?? (await writer.upload(file, body, false));
      profileFiles.push({ ...ref, path: file.path });
    },
  } satisfies EnvironmentArchiveSinks;
  return { sinks, extensionFiles, profileFiles };
}

/**
 * Stores an uploaded raw Chrome profile (`.tar.gz`, the contract's "upload
 * browser data") as a new version that replaces the environment's browser
 * data: the status reads `uploading` from the first byte, each kept file
 * streams into the store (caches and locks dropped, see
 * `ingestProfileArchive`), and the profile summary (origins with Local
 * Storage, extensions) is kept with the version. Not a gzip'd tar →
 * `Only .tar.gz files are allowed`, and nothing changes.
 */
export function importProfileArchive(
  context: StoreContext,
  userId: string,
  envId: string,
  source: Readable,
  options: { baseVersion?: number | null; limits?: Partial<ArchiveLimits> } = {},
): Promise<SaveResult> {
  return runSave(
    context,
    userId,
    envId,
    { baseVersion: options.baseVersion, uploading: true },
    async (writer): Promise<StoredParts> => {
      const profileFiles: StoredParts["profileFiles"] = [];
      const summary = await ingestProfileArchive(source, {
        ...(options.limits ? { limits: options.limits } : {}),
        ...(context.inspectProfile ? { inspect: context.inspectProfile } : {}),
        sink: async (file, body) => {
          profileFiles.push({
            ...(await writer.uploadHashed(file.size, body, `profile/${file.path}`)),
            path: file.path,
          });
        },
      });
      return { state: emptyBrowserState(), extensionFiles: [], profileFiles, profileSummary: summary };
    },
  );
}
