import path from "node:path";
import type { Readable } from "node:stream";
import type { BrowserState, ExtensionState } from "@webrun/state";
import {
  inlineFileOpener,
  layoutExtension,
  writeExtensionStorage,
  writeLocalStorage,
} from "../profile/index.js";
import { withStableKey } from "./stable-extension-key.js";

/** Where an extension file's bytes come from: inline base64 by default, an archive's entries otherwise. */
export type OpenExtensionFile = (
  extension: ExtensionState,
  relativePath: string,
) => Promise<Readable | Buffer>;

export interface SeedProfileOptions {
  /** Where extension folders are laid out (`<extensionsDir>/<id>`); required when the state has extensions. */
  extensionsDir?: string;
  openExtensionFile?: OpenExtensionFile;
}

export interface SeededProfile {
  /** Folders for `--load-extension`. */
  extensionDirs: string[];
  /**
   * Captured extension id → the id Chromium gives the laid-out copy. They
   * differ once for an extension without a manifest `key` (its id was a hash
   * of its old folder path): it is given a key of its own here, so its id
   * stays the same in every later session (see `withStableKey`).
   */
  extensionIds: Map<string, string>;
}

/**
 * Prepares a fresh profile before Chromium starts: every origin's
 * localStorage written straight into `Default/Local Storage/leveldb`, each
 * extension laid out on disk and its `chrome.storage` written under the id
 * Chromium will give it. Needs no browser and no navigation, which is what
 * makes seeding about as fast as a bare launch.
 */
export async function seedProfile(
  profileDir: string,
  state: BrowserState,
  options: SeedProfileOptions = {},
): Promise<SeededProfile> {
  await writeLocalStorage(profileDir, state.origins);
  const extensionDirs: string[] = [];
  const extensionIds = new Map<string, string>();
  if (state.extensions.length === 0) return { extensionDirs, extensionIds };
  // Inside the profile by default: one folder to remove, and Chromium ignores it.
  const extensionsDir = options.extensionsDir ?? path.join(profileDir, "webrun-extensions");
  for (const extension of state.extensions) {
    if (!extension.enabled) continue;
    const opener = options.openExtensionFile
      ? (relativePath: string) => (options.openExtensionFile as OpenExtensionFile)(extension, relativePath)
      : inlineFileOpener(extension);
    const stable = await withStableKey(extension, opener);
    const { dir, id } = await layoutExtension(
      stable.extension,
      path.join(extensionsDir, extension.id),
      stable.openFile,
    );
    extensionDirs.push(dir);
    extensionIds.set(extension.id, id);
    for (const area of ["local", "sync"] as const) {
      if (Object.keys(extension.storage[area]).length > 0) {
        await writeExtensionStorage(profileDir, id, area, extension.storage[area]);
      }
    }
  }
  return { extensionDirs, extensionIds };
}
