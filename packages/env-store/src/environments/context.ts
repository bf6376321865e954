import type { BlobStore } from "@webrun/blob-store";
import { LRUCache } from "lru-cache";
import type { ProfileInspector } from "../archive/ingest-profile.js";
import { envStoreError } from "../errors.js";
import type { VersionManifest } from "./schemas.js";

/** Tunables of the environment store; every one has a production default. */
export interface EnvironmentLimits {
  /** The contract's per-user cap (20). */
  maxEnvironmentsPerUser: number;
  /** Versions kept per environment, head included (10). */
  keepVersions: number;
  /**
   * A save must commit within this long of starting, or it fails without
   * changing anything (1 h). Garbage collection relies on it: see `gracePeriodMs`.
   */
  maxSaveDurationMs: number;
  /**
   * Unreferenced objects younger than this are never collected (6 h). Must
   * exceed `maxSaveDurationMs` by more than any clock skew between processes
   * and the store, so an in-flight save's parts are always protected.
   */
  gracePeriodMs: number;
  /** Parallel part uploads/downloads per save (8). */
  transferConcurrency: number;
}

export const defaultEnvironmentLimits: EnvironmentLimits = {
  maxEnvironmentsPerUser: 20,
  keepVersions: 10,
  maxSaveDurationMs: 60 * 60 * 1000,
  gracePeriodMs: 6 * 60 * 60 * 1000,
  transferConcurrency: 8,
};

export interface Clock {
  now(): Date;
}

/** What every module of the environment store shares. */
export interface StoreContext {
  store: BlobStore;
  limits: EnvironmentLimits;
  clock: Clock;
  inspectProfile?: ProfileInspector;
  /**
   * Version manifests already read, by key. A manifest is written once
   * under a fresh key and never changed, so a cached one is never stale;
   * one is only looked up through a record entry of its own user.
   */
  manifests: LRUCache<string, VersionManifest>;
}

/** Bounded by the parts manifests list (about 150 bytes each): some 15 MB at most. */
export function createManifestCache(): LRUCache<string, VersionManifest> {
  return new LRUCache<string, VersionManifest>({
    maxSize: 100_000,
    sizeCalculation: (manifest) =>
      1 + manifest.originGroups.length + manifest.extensionFiles.length + manifest.profileFiles.length,
  });
}

export function resolveLimits(partial: Partial<EnvironmentLimits> | undefined): EnvironmentLimits {
  const limits = { ...defaultEnvironmentLimits, ...partial };
  const positive = (value: number) => Number.isInteger(value) && value > 0;
  if (
    !positive(limits.maxEnvironmentsPerUser) ||
    !positive(limits.keepVersions) ||
    !positive(limits.transferConcurrency) ||
    !(limits.maxSaveDurationMs > 0) ||
    !(limits.gracePeriodMs > limits.maxSaveDurationMs)
  )
    throw envStoreError({
      kind: "invalid_input",
      code: "ENVIRONMENT_LIMITS_INVALID",
      message: "environment limits must be positive, and gracePeriodMs must exceed maxSaveDurationMs",
    });
  return limits;
}
