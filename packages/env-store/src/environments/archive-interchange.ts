import { createWriteStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { emptyBrowserState } from "@webrun/browser-state";
import { resolveInside } from "../archive/entry-path.js";
import { ingestProfileArchive } from "../archive/ingest-profile.js";
import type { ArchiveLimits } from "../archive/limits.js";
import { type ExtensionFileSource, packEnvironmentArchive } from "../archive/pack-environment.js";
import { type EnvironmentArchiveLimits, unpackEnvironmentArchive } from "../archive/unpack-environment.js";
import { mapConcurrently } from "./concurrency.js";
import type { StoreContext } from "./context.js";
import { loadVersion, runSave, type SaveResult, type StoredParts } from "./versions.js";

/**
 * A kept version (the head by default) as an environment archive
 * (`.tar.gz`, see `packEnvironmentArchive`), streamed. Profile files are
 * first written to a private temporary directory (the packer reads a
 * directory), removed when the stream ends or fails.
 */
export async function exportArchive(
  context: StoreContext,
  userId: string,
  envId: string,
  version?: number,
): Promise<Readable> {
  const loaded = await loadVersion(context, userId, envId, version);
  let profileDir: string | undefined;
  if (loaded.profileFiles.length > 0) {
    profileDir = await mkdtemp(join(tmpdir(), "webrun-export-"));
    try {
      const root = profileDir;
      await mapConcurrently(loaded.profileFiles, context.limits.transferConcurrency, async (file) => {
        const target = resolveInside(root, file.path);
        await mkdir(dirname(target), { recursive: true });
        await pipeline(await loaded.openProfileFile(file.path), createWriteStream(target, { mode: 0o600 }));
      });
    } catch (error) {
      await rm(profileDir, { recursive: true, force: true });
      throw error;
    }
  }
  // The packer asks for extension files in manifest order: serve them from the prefetching reader.
  const files = loaded.files();
  const extensionFiles: ExtensionFileSource = async (extensionId, path) => {
    const next = await files.next();
    if (
      !next.done &&
      next.value.kind === "extension" &&
      next.value.extensionId === extensionId &&
      next.value.path === path
    )
      return next.value.body;
    if (!next.done) next.value.body.destroy();
    return loaded.openExtensionFile(extensionId, path);
  };
  const archive = packEnvironmentArchive({
    state: loaded.state,
    extensionFiles,
    createdAt: new Date(loaded.savedAt),
    ...(profileDir === undefined ? {} : { profileDir }),
  });
  const dir = profileDir;
  finished(archive)
    .catch(() => {})
    .finally(async () => {
      await files.return(undefined);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    });
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
      const extensionFiles: StoredParts["extensionFiles"] = [];
      const profileFiles: StoredParts["profileFiles"] = [];
      // Bodies arrive verified by the unpacker; a part the head holds is left unread (the unpacker drains and checks it).
      const unpacked = await unpackEnvironmentArchive(source, options.limits ?? {}, {
        async extensionFile(file, body) {
          const ref = writer.find(file.sha256) ?? (await writer.upload(file, body, false));
          extensionFiles.push({ ...ref, extensionId: file.extensionId, path: file.path });
        },
        async profileFile(file, body) {
          const ref = writer.find(file.sha256) ?? (await writer.upload(file, body, false));
          profileFiles.push({ ...ref, path: file.path });
        },
      });
      return { state: unpacked.state, extensionFiles, profileFiles };
    },
  );
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
