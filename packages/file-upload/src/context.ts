import type { BlobStore } from "@webrun/blob-store";

/** Answers whether an environment exists and belongs to a user; injected by the API (environments live elsewhere). */
export interface EnvironmentDirectory {
  exists(userId: string, environmentId: string): Promise<boolean>;
}

/** What every file operation needs. */
export interface FilesContext {
  store: BlobStore;
  environments: EnvironmentDirectory;
  /** How long an orphan lives before the sweep may delete it. Default 1 hour. */
  orphanMaxAgeMs?: number;
  /** The clock; tests move it. */
  now?: () => Date;
}

export const defaultOrphanMaxAgeMs = 60 * 60 * 1000;

export function clock(context: Pick<FilesContext, "now">): Date {
  return context.now ? context.now() : new Date();
}
