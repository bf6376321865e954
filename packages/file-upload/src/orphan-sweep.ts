import { clock, defaultOrphanMaxAgeMs, type FilesContext } from "./context.js";
import type { StoredRecord } from "./file-record.js";
import { fileKeys, parseUnattachedMarker, type UnattachedMarker } from "./keys.js";
import { readRecord, swapRecord } from "./record-store.js";

export interface SweepOptions {
  /** The sweep's idea of now. Default: the context clock. */
  now?: Date;
  /** Orphans older than this are deleted. Default: the context's `orphanMaxAgeMs`, else 1 hour. */
  maxAgeMs?: number;
  /**
   * An upload that never wrote its record (its process died) is cleaned up
   * after this long. Must exceed the uploads' `maxDurationMs`. Default 2 hours
   * (or `maxAgeMs` when larger).
   */
  abandonAfterMs?: number;
}

/** What one sweep did, by outcome. */
export interface SweepReport {
  /** Orphans this sweeper claimed and deleted. */
  expired: number;
  /** Bytes of uploads that died before committing, deleted. */
  abandoned: number;
  /** Deletions another sweeper had claimed and not finished (it died, or is running right now), completed. */
  finished: number;
  /** Attached files whose marker outlived an interrupted attach: index entry written, marker removed. */
  repaired: number;
  /** Markers left alone: too young, or another process changed the record first. */
  skipped: number;
}

/**
 * Deletes orphans (files never attached to an environment) older than
 * `maxAgeMs`, and the leftovers of uploads that died mid-way. Safe with any
 * number of processes sweeping at once and with promotions racing it: a
 * sweeper claims an orphan by compare-and-swapping its record to `expiring`
 * (exactly one claimer wins; a promotion that swapped first makes the claim
 * fail and the file is kept; a promotion that comes second fails with
 * `FILE_EXPIRED`). Deletion after a claim is idempotent, so finishing
 * someone else's claim is harmless.
 */
export async function sweepOrphans(context: FilesContext, options: SweepOptions = {}): Promise<SweepReport> {
  const now = options.now ?? clock(context);
  const maxAgeMs = options.maxAgeMs ?? context.orphanMaxAgeMs ?? defaultOrphanMaxAgeMs;
  const abandonAfterMs = options.abandonAfterMs ?? Math.max(2 * 60 * 60 * 1000, maxAgeMs);
  const report: SweepReport = { expired: 0, abandoned: 0, finished: 0, repaired: 0, skipped: 0 };
  const youngest = now.getTime() - Math.min(maxAgeMs, abandonAfterMs);
  for await (const info of context.store.list(fileKeys.unattachedPrefix)) {
    const marker = parseUnattachedMarker(info.key);
    if (!marker) continue;
    // Markers are listed oldest first: everything from here on is too young.
    if (marker.createdAt.getTime() > youngest) break;
    const age = now.getTime() - marker.createdAt.getTime();
    report[await sweepMarker(context, marker, { age, maxAgeMs, abandonAfterMs, now })] += 1;
  }
  return report;
}

async function sweepMarker(
  context: FilesContext,
  marker: UnattachedMarker,
  limits: { age: number; maxAgeMs: number; abandonAfterMs: number; now: Date },
): Promise<keyof SweepReport> {
  const { store } = context;
  const { userId, fileId } = marker;
  const found = await readRecord(store, userId, fileId);
  if (!found) {
    if (limits.age < limits.abandonAfterMs) return "skipped";
    // Claim the record key so the dead (or hopelessly late) upload can never commit over deleted bytes.
    const tombstone: StoredRecord = {
      version: 1,
      state: "abandoned",
      fileId,
      sweptAt: limits.now.toISOString(),
    };
    if ((await swapRecord(store, userId, tombstone, "absent")) === undefined) return "skipped";
    await removeOrphan(context, marker);
    return "abandoned";
  }
  const { record, etag } = found;
  if (record.state === "abandoned") {
    await removeOrphan(context, marker);
    return "abandoned";
  }
  if (record.state === "expiring") {
    await removeOrphan(context, marker);
    return "finished";
  }
  if (record.environmentId !== null) {
    await store.put(fileKeys.environmentEntry(userId, record.environmentId, fileId), "");
    await store.delete(marker.key);
    return "repaired";
  }
  if (limits.age < limits.maxAgeMs) return "skipped";
  if ((await swapRecord(store, userId, { ...record, state: "expiring" }, etag)) === undefined)
    return "skipped";
  await removeOrphan(context, marker);
  return "expired";
}

/** Bytes first, then the record, and the marker last: an interrupted removal is found again by the next sweep. */
async function removeOrphan(context: FilesContext, marker: UnattachedMarker): Promise<void> {
  const { store } = context;
  await store.delete(fileKeys.blob(marker.userId, marker.fileId));
  await store.delete(fileKeys.record(marker.userId, marker.fileId));
  await store.delete(marker.key);
}
