import { createReadStream, existsSync } from "node:fs";
import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { OpenExtensionFile } from "@webrun/browser-state";
import { unpackEnvironmentArchiveToDirectory } from "@webrun/env-store";
import { type BrowserState, parseBrowserState } from "@webrun/state";
import { cliError } from "./errors.js";
import { readJsonInput } from "./read-input.js";

/** State documents may carry megabyte values and inline extension files. */
const maxStateBytes = 512 * 1024 * 1024;

/** A state read from a `.json` document or an environment archive, with where its files are. */
export interface LoadedState {
  state: BrowserState;
  /** Extension file bytes unpacked from an archive (a `.json` state carries them inline). */
  openExtensionFile?: OpenExtensionFile;
  /** The archive's `profile/` folder, when it has one. */
  profileTemplateDir?: string;
  /** Removes what was unpacked. */
  dispose(): Promise<void>;
}

/** What a state file is, by its name: a `.json` state document or a `.tar.gz`/`.tgz` environment archive. */
export function stateFileKind(file: string): "json" | "archive" | undefined {
  if (file.endsWith(".json")) return "json";
  if (file.endsWith(".tar.gz") || file.endsWith(".tgz")) return "archive";
  return undefined;
}

/**
 * Reads and validates a state: a `.json` document, or an environment
 * archive unpacked (verified, all or nothing) into a temporary folder. A bad
 * field is reported by its path.
 */
export async function loadStateFile(file: string): Promise<LoadedState> {
  if (stateFileKind(file) !== "archive") {
    const state = parseBrowserState(await readJsonInput(file, { maxBytes: maxStateBytes }));
    return { state, dispose: async () => undefined };
  }
  const root = await mkdtemp(path.join(tmpdir(), "webrun-archive-"));
  const unpacked = path.join(root, "environment");
  try {
    const source = await openReadable(file);
    const { state } = await unpackEnvironmentArchiveToDirectory(source, unpacked);
    const profileDir = path.join(unpacked, "profile");
    return {
      state,
      openExtensionFile: async (extension, relativePath) =>
        createReadStream(path.join(unpacked, "extensions", extension.id, ...relativePath.split("/"))),
      ...(existsSync(profileDir) ? { profileTemplateDir: profileDir } : {}),
      dispose: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

async function openReadable(file: string) {
  try {
    await access(file);
  } catch (error) {
    throw cliError({
      kind: "not_found",
      code: "INPUT_UNREADABLE",
      message: `cannot read ${file}`,
      cause: error,
    });
  }
  return createReadStream(file);
}
