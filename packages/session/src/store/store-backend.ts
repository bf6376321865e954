import { createReadStream } from "node:fs";
import path from "node:path";
import type { EnvironmentStore } from "@webrun/env-store";
import type { FileService } from "@webrun/file-upload";
import { emptyBrowserState } from "@webrun/state";
import type { EnvironmentHead, SessionBackend } from "../backend.js";
import { writeProfileFiles } from "./profile-files.js";

export interface StoreBackendOptions {
  environments: EnvironmentStore;
  files: FileService;
  /** Whose environment: another user's id reads as not found. */
  userId: string;
}

/**
 * A session backend on an in-process environment store and file service
 * (the same objects the API serves from). Opening a session counts as a use
 * of the environment (`lastUsedAt`, `usageCount`).
 */
export function storeBackend({ environments, files, userId }: StoreBackendOptions): SessionBackend {
  return {
    async loadHead(environmentId, scratchDir): Promise<EnvironmentHead> {
      const environment = await environments.markUsed(userId, environmentId);
      const listed = await files.listEnvironmentFiles(userId, environmentId);
      const fileParts = {
        files: listed,
        openFile: async (fileId: string) => (await files.openFileDownload(userId, fileId)).body,
      };
      if (environment.version === null) return { version: null, state: emptyBrowserState(), ...fileParts };
      const head = await environments.loadVersion(userId, environmentId);
      const profileDir = path.join(scratchDir, "profile");
      if (head.profileFiles.length > 0) await writeProfileFiles(head, profileDir);
      return {
        version: head.version,
        state: head.state,
        openExtensionFile: async (extension, relativePath) =>
          head.openExtensionFile(extension.id, relativePath),
        ...(head.profileFiles.length > 0 ? { profileDir } : {}),
        ...fileParts,
      };
    },

    async saveState(environmentId, capture) {
      const { version, merge } = await environments.saveMerged(userId, environmentId, {
        state: capture.state,
        mergeBase: capture.mergeBase,
        ...(capture.snapshot ? { snapshot: capture.snapshot } : {}),
      });
      return {
        version,
        baseVersion: merge.baseVersion,
        merged: merge.merged,
        mergedWith: merge.mergedWith,
        conflicts: merge.conflicts,
        changes: merge.changes,
        snapshot: merge.snapshot,
      };
    },

    async uploadFile(environmentId, file) {
      const { fileId, originalName, size } = await files.storeFile(userId, {
        name: file.name,
        body: createReadStream(file.path),
        environmentId,
      });
      return { fileId, originalName, size };
    },
  };
}
