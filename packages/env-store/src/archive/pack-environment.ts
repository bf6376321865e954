import { createReadStream } from "node:fs";
import { PassThrough, pipeline as pipelineCallback, Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { type BrowserState, type BrowserStateInput, parseBrowserState } from "@webrun/state";
import tar from "tar-stream";
import { archiveError, envStoreError } from "../errors.js";
import { type ContentDigest, digestFile, sha256Hex, verifyingStream } from "./content-digest.js";
import { normaliseEntryPath } from "./entry-path.js";
import {
  ENVIRONMENT_ARCHIVE_FORMAT,
  ENVIRONMENT_ARCHIVE_VERSION,
  type EnvironmentManifest,
  extensionEntryPath,
  MANIFEST_ENTRY,
  type ManifestFile,
  PROFILE_PREFIX,
  STATE_ENTRY,
} from "./environment-manifest.js";
import { defaultArchiveLimits } from "./limits.js";
import { listProfileFiles } from "./profile-walk.js";

/** One profile file to pack, opened only when its turn comes. */
export interface ProfileFileInput extends ContentDigest {
  path: string;
  open: () => Readable | Promise<Readable>;
}

/** Opens the bytes of one extension file named in the state. */
export type ExtensionFileSource = (extensionId: string, filePath: string) => Readable | Promise<Readable>;

export interface PackEnvironmentOptions {
  state: BrowserState | BrowserStateInput;
  /**
   * The bytes of each file listed in `state.extensions[].files`. When
   * omitted, a file's `contentBase64` is used; a file with neither fails the pack.
   */
  extensionFiles?: ExtensionFileSource;
  /** A Chrome user-data-dir (or a subset of one) to store under `profile/`; caches and locks are left out. */
  profileDir?: string;
  /**
   * Profile files already stored elsewhere (a BlobStore) with a known size
   * and SHA-256, instead of `profileDir`: streamed straight into the
   * archive, no temporary copy. Paths are user-data-dir relative.
   */
  profileFiles?: readonly ProfileFileInput[];
  /** Recorded in the manifest and as every entry's mtime; now by default. */
  createdAt?: Date;
}

/**
 * Packs an environment archive as a gzip (level 6) tar stream: `manifest.json`,
 * `state.json` (extension files listed by path/size/sha256, without
 * `contentBase64`), `extensions/<id>/<path>`, then `profile/…`. Files are
 * streamed one at a time and checked against the size and SHA-256 the
 * manifest promised; a mismatch (or any read error) destroys the returned
 * stream with a WebrunError instead of producing a bad archive. The state
 * is validated before this returns.
 */
export function packEnvironmentArchive(options: PackEnvironmentOptions): Readable {
  const state = parseBrowserState(options.state);
  const pack = tar.pack();
  const output = new PassThrough();
  pipelineCallback(pack as unknown as Readable, createGzip({ level: 6 }), output, () => {});
  writeEntries(pack, state, options).catch((error: unknown) => {
    output.destroy(error as Error);
    pack.destroy(error as Error);
  });
  return output;
}

async function writeEntries(
  pack: tar.Pack,
  state: BrowserState,
  options: PackEnvironmentOptions,
): Promise<void> {
  const createdAt = options.createdAt ?? new Date();
  const stateBytes = Buffer.from(JSON.stringify(stateWithoutInlineContent(state)));
  const profileFiles = await profileInputs(options);

  const extensionParts: ManifestFile[] = state.extensions.flatMap((extension) =>
    extension.files.map((file) => ({
      path: extensionEntryPath(extension.id, file.path),
      size: file.size,
      sha256: file.sha256,
    })),
  );
  const profileParts: ManifestFile[] = profileFiles.map((file) => ({
    path: `${PROFILE_PREFIX}${file.path}`,
    size: file.size,
    sha256: file.sha256,
  }));
  const manifest: EnvironmentManifest = {
    format: ENVIRONMENT_ARCHIVE_FORMAT,
    version: ENVIRONMENT_ARCHIVE_VERSION,
    createdAt: createdAt.toISOString(),
    counts: {
      extensions: state.extensions.length,
      extensionFiles: extensionParts.length,
      profileFiles: profileParts.length,
    },
    bytes: {
      state: stateBytes.length,
      extensions: sum(extensionParts),
      profile: sum(profileParts),
    },
    files: [
      { path: STATE_ENTRY, size: stateBytes.length, sha256: sha256Hex(stateBytes) },
      ...extensionParts,
      ...profileParts,
    ],
  };

  await addBuffer(pack, MANIFEST_ENTRY, Buffer.from(JSON.stringify(manifest, null, 2)), createdAt);
  await addBuffer(pack, STATE_ENTRY, stateBytes, createdAt);
  for (const extension of state.extensions) {
    for (const file of extension.files) {
      const source = await openExtensionFile(options.extensionFiles, extension.id, file);
      await addStream(pack, extensionEntryPath(extension.id, file.path), source, file, createdAt);
    }
  }
  for (const file of profileFiles) {
    await addStream(pack, `${PROFILE_PREFIX}${file.path}`, await file.open(), file, createdAt);
  }
  pack.finalize();
}

/** The profile part, from `profileFiles` or by walking (and hashing) `profileDir`. */
async function profileInputs(options: PackEnvironmentOptions): Promise<readonly ProfileFileInput[]> {
  if (options.profileFiles !== undefined) {
    for (const file of options.profileFiles) {
      if (normaliseEntryPath(file.path, defaultArchiveLimits) !== file.path) {
        throw archiveError("ARCHIVE_PATH_INVALID", "Profile file path is not a plain relative path", {
          entry: file.path,
        });
      }
    }
    return options.profileFiles;
  }
  if (options.profileDir === undefined) return [];
  const inputs: ProfileFileInput[] = [];
  for (const file of await listProfileFiles(options.profileDir)) {
    const digest = await digestFile(file.absolutePath);
    inputs.push({ path: file.path, ...digest, open: () => createReadStream(file.absolutePath) });
  }
  return inputs;
}

function stateWithoutInlineContent(state: BrowserState): BrowserState {
  return {
    ...state,
    extensions: state.extensions.map((extension) => ({
      ...extension,
      files: extension.files.map(({ contentBase64: _dropped, ...file }) => file),
    })),
  };
}

async function openExtensionFile(
  source: ExtensionFileSource | undefined,
  extensionId: string,
  file: BrowserState["extensions"][number]["files"][number],
): Promise<Readable> {
  if (source !== undefined) return source(extensionId, file.path);
  if (file.contentBase64 !== undefined) return Readable.from([Buffer.from(file.contentBase64, "base64")]);
  throw envStoreError({
    kind: "invalid_input",
    code: "ENV_ARCHIVE_EXTENSION_FILE_MISSING",
    message: `No content for extension file ${extensionId}/${file.path}: give extensionFiles or contentBase64`,
  });
}

function addBuffer(pack: tar.Pack, name: string, content: Buffer, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: content.length, mode: 0o600, mtime }, content, (error) =>
      error ? reject(error) : resolve(),
    );
  });
}

async function addStream(
  pack: tar.Pack,
  name: string,
  source: Readable,
  expected: ContentDigest,
  mtime: Date,
): Promise<void> {
  const entry = pack.entry({ name, size: expected.size, mode: 0o600, mtime });
  await pipeline(source, verifyingStream(expected, name), entry as unknown as NodeJS.WritableStream);
}

function sum(parts: readonly ManifestFile[]): number {
  return parts.reduce((total, part) => total + part.size, 0);
}
