import { saveTooSlow, versionConflict } from "../errors.js";
import type { ContentWriter } from "./content.js";
import type { StoreContext } from "./context.js";
import { isPreconditionFailure, retryOnConflict, type Versioned, writeJson } from "./json-object.js";
import { layout } from "./layout.js";
import { readRecord } from "./records.js";
import type { EnvironmentRecord, VersionEntry, VersionManifest } from "./schemas.js";

/** The parts of a version, ready to be committed; version numbers are assigned at commit. */
export type VersionBody = Omit<
  VersionManifest,
  "format" | "environmentId" | "version" | "parentVersion" | "savedAt" | "bytesUploaded"
>;

export interface CommitRequest {
  userId: string;
  envId: string;
  body: VersionBody;
  /** `undefined`: last writer wins. A number (or null for "no version yet"): fail with VERSION_CONFLICT if the head moved. */
  baseVersion: number | null | undefined;
  /** When the save started (ms since epoch), for the save deadline. */
  startedAt: number;
  writer: ContentWriter;
  /** Also clear this upload mark (the save's own) when the head moves. */
  uploadMark?: string;
  /**
   * The record as the save read (or last wrote) it. The first attempt starts
   * from it instead of reading it again: its etag makes the swap fail if the
   * record changed since, and the retry reads it fresh.
   */
  record?: Versioned<EnvironmentRecord>;
}

export interface CommitResult {
  record: EnvironmentRecord;
  version: number;
  /** Parts plus manifest(s) this save wrote, in plaintext bytes. */
  bytesUploaded: number;
}

/**
 * Publishes a version: the immutable manifest first (under a fresh key,
 * create-only), then the head moves by compare-and-swap of the record.
 * Nothing a reader can see changes until that swap lands, so a crash at any
 * point leaves the previous head intact. A swap lost to another writer is
 * retried on fresh data (last writer wins) unless the save named its base
 * version, in which case it fails with VERSION_CONFLICT and removes what it
 * wrote. Versions past retention are retired, not deleted: an in-flight save
 * may still reuse their parts until the GC grace period has passed.
 */
export async function commitVersion(context: StoreContext, request: CommitRequest): Promise<CommitResult> {
  const { userId, envId } = request;
  let published: { key: string; version: number; manifest: VersionManifest } | undefined;
  let manifestBytes = 0;
  let known = request.record;
  try {
    return await retryOnConflict(`environment ${envId}`, async () => {
      const current = known ?? (await readRecord(context, userId, envId));
      known = undefined;
      const head = current.value.versions.at(-1)?.version ?? null;
      if (request.baseVersion !== undefined && request.baseVersion !== head) throw versionConflict(head);
      assertWithinDeadline(context, request.startedAt);
      const version = (head ?? 0) + 1;
      const now = context.clock.now().toISOString();
      if (published?.version !== version) {
        // The head moved under a last-writer-wins save: renumber under a fresh manifest.
        if (published) await context.store.delete(published.key).catch(() => {});
        const key = layout.newManifest(userId, envId, version);
        const manifest: VersionManifest = {
          format: 1,
          environmentId: envId,
          version,
          parentVersion: head,
          savedAt: now,
          ...request.body,
          bytesUploaded: request.writer.bytesUploaded,
        };
        published = undefined;
        manifestBytes += await writeManifest(context, key, manifest);
        published = { key, version, manifest };
      }
      const bytesUploaded = request.writer.bytesUploaded + manifestBytes;
      assertWithinDeadline(context, request.startedAt);
      const entry: VersionEntry = {
        version,
        manifestKey: published.key,
        savedAt: now,
        totalBytes: request.body.summary.totalBytes,
        bytesUploaded,
        ...(request.body.rolledBackFrom === undefined ? {} : { rolledBackFrom: request.body.rolledBackFrom }),
      };
      const all = [...current.value.versions, entry];
      const kept = all.slice(-context.limits.keepVersions);
      const dropped = all.slice(0, all.length - kept.length);
      const record: EnvironmentRecord = {
        ...current.value,
        versions: kept,
        retired: [
          ...current.value.retired,
          ...dropped.map((old) => ({ manifestKey: old.manifestKey, retiredAt: now })),
        ],
        summary: request.body.summary,
        blobSize: request.body.summary.totalBytes,
        blobUploadedAt: now,
        updatedAt: now,
        uploadingSince:
          request.uploadMark !== undefined && current.value.uploadingSince === request.uploadMark
            ? null
            : current.value.uploadingSince,
      };
      await writeJson(context.store, layout.record(userId, envId), record, { etag: current.etag });
      // The next load or save of this head finds its (immutable) manifest without reading it back.
      context.manifests.set(published.key, published.manifest);
      return { record, version, bytesUploaded };
    });
  } catch (error) {
    if (published) await context.store.delete(published.key).catch(() => {});
    await request.writer.discard();
    throw error;
  }
}

async function writeManifest(context: StoreContext, key: string, manifest: VersionManifest): Promise<number> {
  const bytes = Buffer.byteLength(JSON.stringify(manifest));
  try {
    await writeJson(context.store, key, manifest, "absent");
  } catch (error) {
    // Manifest keys are random: a clash is not a race to retry but a bug.
    if (isPreconditionFailure(error)) throw new Error(`manifest key ${key} already exists`);
    throw error;
  }
  return bytes;
}

function assertWithinDeadline(context: StoreContext, startedAt: number): void {
  if (context.clock.now().getTime() - startedAt > context.limits.maxSaveDurationMs)
    throw saveTooSlow(context.limits.maxSaveDurationMs);
}
