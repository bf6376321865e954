import { createReadStream, existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import path from "node:path";
import { ApiClient, stateVersion } from "@webrun/api-client";
import { packEnvironmentArchive, unpackEnvironmentArchiveToDirectory } from "@webrun/env-store";
import { isWebrunError } from "@webrun/errors";
import { emptyBrowserState } from "@webrun/state";
import type { EnvironmentHead, SessionBackend } from "../backend.js";

/** A client of the API, or where the API is and the key to use. */
export type ApiBackendOptions = { client: ApiClient } | { apiUrl: string; apiKey: string };

/**
 * A session backend over the webrun HTTP API, for an orchestrator on another
 * machine than the store: the head is the environment archive (extension and
 * profile files included) unpacked into the session's scratch folder; a save
 * is a merged `PUT /environments/:id/state?base=…` (an environment archive
 * when it carries a fresh storage snapshot, `&snapshot=drop` when the head's
 * must go); downloads go up through
 * `POST /files/upload` with the environment's id.
 */
export function apiBackend(options: ApiBackendOptions): SessionBackend {
  const client = "client" in options ? options.client : new ApiClient(options);
  return {
    async loadHead(environmentId, scratchDir): Promise<EnvironmentHead> {
      // The file list first: an unknown or another user's id is refused before any archive is read.
      const { files } = await client.listFiles(environmentId);
      const fileParts = {
        files,
        openFile: async (fileId: string) => (await client.openFile(fileId)).body,
      };
      const answer = await client.openState(environmentId, "archive").catch((error: unknown) => {
        if (isWebrunError(error, "ENVIRONMENT_EMPTY")) return undefined;
        throw error;
      });
      if (answer === undefined) return { version: null, state: emptyBrowserState(), ...fileParts };
      const unpacked = path.join(scratchDir, "environment");
      const { state } = await unpackEnvironmentArchiveToDirectory(answer.body, unpacked);
      const profileDir = path.join(unpacked, "profile");
      return {
        version: stateVersion(answer) ?? null,
        state,
        openExtensionFile: async (extension, relativePath) =>
          createReadStream(path.join(unpacked, "extensions", extension.id, ...relativePath.split("/"))),
        ...(existsSync(profileDir) ? { profileDir } : {}),
        ...fileParts,
      };
    },

    async saveState(environmentId, capture) {
      const { snapshot } = capture;
      // A fresh snapshot travels as the profile files of an environment archive, the state beside it.
      const source =
        snapshot !== undefined && "dir" in snapshot
          ? {
              upload: {
                body: packEnvironmentArchive({ state: capture.state, profileDir: snapshot.dir }),
                contentType: "application/gzip",
              },
            }
          : { state: capture.state };
      const { saved } = await client.saveMergedState(environmentId, source, {
        base: capture.mergeBase,
        ...(snapshot !== undefined && "drop" in snapshot ? { dropSnapshot: true } : {}),
      });
      const { version, baseVersion, merged, mergedWith, conflicts, changes } = saved;
      return { version, baseVersion, merged, mergedWith, conflicts, changes, snapshot: saved.snapshot };
    },

    async uploadFile(environmentId, file) {
      const { size } = await stat(file.path);
      const { files } = await client.uploadFiles([{ path: file.path, filename: file.name, size }], {
        environmentId,
      });
      const [uploaded] = files;
      if (!uploaded) throw new Error(`the API stored no file for ${file.name}`);
      return { fileId: uploaded.fileId, originalName: uploaded.originalName, size: uploaded.size };
    },
  };
}
