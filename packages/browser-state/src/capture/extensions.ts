import type { ExtensionState } from "@webrun/state";
import type { Protocol } from "devtools-protocol";
import type { CdpConnection } from "../cdp/cdp-connection.js";
import { evaluateInSession } from "../cdp/evaluate.js";
import { inExtensionWorker } from "../cdp/extension-worker.js";
import { readUnpackedExtension } from "../profile/index.js";
import type { CaptureNotes } from "./capture-notes.js";
import { extensionStorageOfLiveProfile } from "./profile-origins.js";

/** What `Extensions.getExtensions` reports for one extension. */
type InstalledExtension = Protocol.Extensions.ExtensionInfo;

/** Installed unpacked extensions, from the browser session (`Extensions.getExtensions`). */
export async function listInstalledExtensions(connection: CdpConnection): Promise<InstalledExtension[]> {
  try {
    const { extensions } = await connection.send("Extensions.getExtensions");
    return extensions.filter((extension) => typeof extension.path === "string" && extension.path.length > 0);
  } catch (error) {
    if (connection.isClosed) throw error;
    return []; // the domain is absent (older or branded builds): nothing we can read
  }
}

type StorageAreas = ExtensionState["storage"];

/**
 * Reads `chrome.storage.local`/`sync` live, through the extension's service
 * worker session: `Extensions.getStorageItems`, or `chrome.storage.*.get(null)`
 * evaluated in the worker. `undefined` when the worker is not running.
 */
export async function readLiveExtensionStorage(
  connection: CdpConnection,
  extensionId: string,
): Promise<StorageAreas | undefined> {
  return await inExtensionWorker(connection, extensionId, async (sessionId) => {
    const read = async (area: "local" | "sync") => {
      try {
        const { data } = await connection.send(
          "Extensions.getStorageItems",
          { id: extensionId, storageArea: area },
          sessionId,
        );
        return data as Record<string, unknown>;
      } catch (error) {
        if (connection.isClosed) throw error;
        return await evaluateInSession<Record<string, unknown>>(
          connection,
          sessionId,
          `chrome.storage.${area}.get(null)`,
        );
      }
    };
    return { local: await read("local"), sync: await read("sync") };
  });
}

export interface CaptureExtensionsOptions {
  /** Put file bytes into the document (a standalone `.json` state). */
  inlineFiles?: boolean;
  /** Where to read storage of extensions whose worker is asleep, and after close. */
  profileDir?: string;
  /** Skip the live read (the teardown path reads storage from disk after close). */
  storageFromDiskOnly?: boolean;
  /** Told where each captured extension's files are, so an archive can stream them. */
  onExtensionFolder?: (extensionId: string, dir: string) => void;
  /** Told of extensions whose storage could not be read. */
  notes?: CaptureNotes;
}

/**
 * The installed unpacked extensions with their files and `chrome.storage`.
 * An extension whose folder does not exist here (a browser on another
 * machine) is left out; one refused by the reader (too large, symlinks)
 * fails the capture rather than silently going missing.
 */
export async function captureExtensions(
  connection: CdpConnection,
  options: CaptureExtensionsOptions = {},
): Promise<ExtensionState[]> {
  const captured: ExtensionState[] = [];
  for (const installed of await listInstalledExtensions(connection)) {
    let extension: ExtensionState;
    try {
      extension = await readUnpackedExtension(installed.path, { inlineFiles: options.inlineFiles === true });
    } catch (error) {
      // A folder this machine cannot see (the browser runs elsewhere) is skipped;
      // one that is there but refused (too large, a symlink…) fails the capture.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw error;
    }
    // Chromium's id is the truth (the folder may be reached through another path).
    extension = { ...extension, id: installed.id, enabled: installed.enabled };
    options.onExtensionFolder?.(installed.id, installed.path);
    if (!options.storageFromDiskOnly) {
      // A worker asleep (MV3 stops it after ~30 s idle) is not a target: its
      // storage is read from a copy of the profile's leveldb instead.
      const stored =
        (await readLiveExtensionStorage(connection, installed.id)) ??
        (options.profileDir && options.notes
          ? await extensionStorageOfLiveProfile(options.profileDir, installed.id, options.notes)
          : undefined);
      if (stored) extension.storage = stored;
      else options.notes?.extensionStorageMissed(installed.id);
    }
    captured.push(extension);
  }
  return captured;
}
