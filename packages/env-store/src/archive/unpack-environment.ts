import type { Readable, Transform } from "node:stream";
import { finished } from "node:stream/promises";
import { type BrowserState, parseBrowserState } from "@webrun/state";
import { archiveError } from "../errors.js";
import { type ArchiveStats, readArchiveEntries } from "./archive-reader.js";
import { integrityError, verifyingStream } from "./content-digest.js";
import {
  type EnvironmentManifest,
  EXTENSIONS_PREFIX,
  extensionEntryPath,
  MANIFEST_ENTRY,
  type ManifestFile,
  PROFILE_PREFIX,
  parseEnvironmentManifest,
  STATE_ENTRY,
} from "./environment-manifest.js";
import type { ArchiveLimits } from "./limits.js";
import { DirectoryWriter, withStagingDirectory } from "./staging-directory.js";

/** Where the files of an environment archive go while it is read. */
export interface EnvironmentArchiveSinks {
  /**
   * Stores one extension file. The body fails at its end with
   * `ENV_ARCHIVE_INTEGRITY` when the bytes do not match the manifest, so a
   * sink that commits only on a clean end (a BlobStore put) commits nothing bad.
   */
  extensionFile(file: ExtensionArchiveFile, body: Readable): Promise<void>;
  /** Stores one profile file; without it, profile entries are verified and discarded. */
  profileFile?(file: ProfileArchiveFile, body: Readable): Promise<void>;
}

export interface ExtensionArchiveFile {
  extensionId: string;
  /** Relative to the extension's root. */
  path: string;
  size: number;
  sha256: string;
}

export interface ProfileArchiveFile {
  /** Relative to the user-data-dir. */
  path: string;
  size: number;
  sha256: string;
}

export interface UnpackedEnvironment {
  manifest: EnvironmentManifest;
  /** Validated with `parseBrowserState`; extension files carry no `contentBase64`. */
  state: BrowserState;
  stats: ArchiveStats;
}

/** Caps on the two small documents read into memory, on top of the archive limits. */
export interface EnvironmentArchiveLimits extends ArchiveLimits {
  maxManifestBytes: number;
  maxStateBytes: number;
}

export const defaultEnvironmentDocumentLimits = {
  maxManifestBytes: 64 * 1024 * 1024,
  maxStateBytes: 512 * 1024 * 1024,
};

/**
 * Reads an environment archive as a stream: `manifest.json` and `state.json`
 * must come first; every other entry must be listed in the manifest and is
 * verified (size, SHA-256) while it streams to its sink; the state must pass
 * `parseBrowserState` and list exactly the extension files the manifest
 * has. Resolves only when every listed entry arrived intact. On rejection,
 * whatever the sinks stored is the caller's to discard (write under a new
 * version, swap the pointer only on success).
 */
export async function unpackEnvironmentArchive(
  source: Readable,
  limits: Partial<EnvironmentArchiveLimits>,
  sinks: EnvironmentArchiveSinks,
): Promise<UnpackedEnvironment> {
  const { maxManifestBytes, maxStateBytes, ...archiveLimits } = {
    ...defaultEnvironmentDocumentLimits,
    ...limits,
  };
  let manifest: EnvironmentManifest | undefined;
  let state: BrowserState | undefined;
  const expected = new Map<string, ManifestFile>();
  let index = 0;

  const stats = await readArchiveEntries(source, archiveLimits, async (entry, body) => {
    const position = index++;
    if (position === 0) {
      if (entry.path !== MANIFEST_ENTRY) throw invalid("the first entry must be manifest.json", entry.path);
      manifest = parseEnvironmentManifest(
        (await readSmall(body, maxManifestBytes, entry.path)).toString("utf8"),
      );
      for (const file of manifest.files) {
        if (expected.has(file.path)) throw invalid("manifest.json lists an entry twice", file.path);
        expected.set(file.path, file);
      }
      return;
    }
    const listed = expected.get(entry.path);
    if (manifest === undefined || listed === undefined)
      throw invalid("entry is not listed in manifest.json", entry.path);
    expected.delete(entry.path);
    if (position === 1) {
      if (entry.path !== STATE_ENTRY) throw invalid("the second entry must be state.json", entry.path);
      const text = (await readSmall(verify(body, listed), maxStateBytes, entry.path)).toString("utf8");
      state = parseBrowserState(parseJson(text));
      checkStateMatchesManifest(state, manifest);
      return;
    }
    const verified = verify(body, listed);
    if (entry.path.startsWith(EXTENSIONS_PREFIX)) {
      const rest = entry.path.slice(EXTENSIONS_PREFIX.length);
      const slash = rest.indexOf("/");
      await sinks.extensionFile(
        {
          extensionId: rest.slice(0, slash),
          path: rest.slice(slash + 1),
          size: listed.size,
          sha256: listed.sha256,
        },
        verified,
      );
    } else if (entry.path.startsWith(PROFILE_PREFIX) && sinks.profileFile !== undefined) {
      await sinks.profileFile(
        { path: entry.path.slice(PROFILE_PREFIX.length), size: listed.size, sha256: listed.sha256 },
        verified,
      );
    } else if (!entry.path.startsWith(PROFILE_PREFIX)) {
      throw invalid("unexpected entry", entry.path);
    }
    // Whatever the sink left unread is verified too: a bad tail must fail the unpack.
    if (!verified.readableEnded) verified.resume();
    await finished(verified);
  });

  if (manifest === undefined) throw invalid("manifest.json is missing");
  if (state === undefined) throw invalid("state.json is missing");
  const [missing] = expected.keys();
  if (missing !== undefined) throw integrityError(missing, "is listed in manifest.json but missing");
  return { manifest, state, stats };
}

/** `body` passed through a check of the manifest's size and SHA-256; a read error of `body` fails it too. */
function verify(body: Readable, listed: ManifestFile): Transform {
  const verified = body.pipe(verifyingStream(listed, listed.path));
  body.on("error", (error) => verified.destroy(error));
  return verified;
}

function checkStateMatchesManifest(state: BrowserState, manifest: EnvironmentManifest): void {
  const extensionFiles = manifest.files.filter((file) => file.path.startsWith(EXTENSIONS_PREFIX));
  const listed = new Map(extensionFiles.map((file) => [file.path, file]));
  let count = 0;
  for (const extension of state.extensions) {
    for (const file of extension.files) {
      count += 1;
      const entryPath = extensionEntryPath(extension.id, file.path);
      const inManifest = listed.get(entryPath);
      if (inManifest === undefined || inManifest.size !== file.size || inManifest.sha256 !== file.sha256) {
        throw integrityError(entryPath, "differs between state.json and manifest.json");
      }
    }
  }
  if (count !== extensionFiles.length) {
    throw integrityError(STATE_ENTRY, "lists other extension files than manifest.json");
  }
}

/** Reads a document entry into memory, refusing more than `max` bytes. */
async function readSmall(body: Readable | Transform, max: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      throw archiveError("ARCHIVE_TOO_LARGE", `Environment archive document is larger than ${max} bytes`, {
        entry: name,
        kind: "too_large",
      });
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw invalid("state.json is not JSON", undefined, error);
  }
}

function invalid(problem: string, entry?: string, cause?: unknown) {
  return archiveError("ENV_ARCHIVE_INVALID", `Invalid environment archive: ${problem}`, {
    ...(entry === undefined ? {} : { entry }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * {@link unpackEnvironmentArchive} into a directory, all or nothing:
 * `extensions/<id>/<path>` (ready for `--load-extension`) and `profile/…`
 * appear at `targetDir` only once everything was verified.
 */
export async function unpackEnvironmentArchiveToDirectory(
  source: Readable,
  targetDir: string,
  limits: Partial<EnvironmentArchiveLimits> = {},
): Promise<UnpackedEnvironment> {
  try {
    return await withStagingDirectory(targetDir, (staging) => {
      const writer = new DirectoryWriter(staging);
      return unpackEnvironmentArchive(source, limits, {
        extensionFile: (file, body) =>
          writer.writeFile(extensionEntryPath(file.extensionId, file.path), body),
        profileFile: (file, body) => writer.writeFile(`${PROFILE_PREFIX}${file.path}`, body),
      });
    });
  } finally {
    source.destroy();
  }
}
