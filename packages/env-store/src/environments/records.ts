import { loginExpiryAt } from "@webrun/state";
import { environmentNotFound } from "../errors.js";
import type { StoreContext } from "./context.js";
import { readJson, retryOnConflict, type Versioned, writeJson } from "./json-object.js";
import { assertUserId, isEnvironmentId, layout } from "./layout.js";
import { type Environment, type EnvironmentRecord, environmentRecordSchema } from "./schemas.js";

/** Reads a live record; unknown ids, malformed ids and deleted records are all "Environment not found". */
export async function readRecord(
  context: StoreContext,
  userId: string,
  envId: string,
): Promise<Versioned<EnvironmentRecord>> {
  assertUserId(userId);
  if (!isEnvironmentId(envId)) throw environmentNotFound();
  const found = await readJson(context.store, layout.record(userId, envId), environmentRecordSchema);
  if (!found || found.value.deletedAt !== null || found.value.userId !== userId) throw environmentNotFound();
  return found;
}

/**
 * Read-modify-write of a record by compare-and-swap, retried on races.
 * `change` sees the freshest record each round and may throw to give up.
 */
export async function updateRecord(
  context: StoreContext,
  userId: string,
  envId: string,
  change: (record: EnvironmentRecord) => EnvironmentRecord,
): Promise<EnvironmentRecord> {
  return (await updateVersionedRecord(context, userId, envId, change)).value;
}

/** `updateRecord`, answering the written record with its new etag (a later compare-and-swap can start from it). */
export function updateVersionedRecord(
  context: StoreContext,
  userId: string,
  envId: string,
  change: (record: EnvironmentRecord) => EnvironmentRecord,
): Promise<Versioned<EnvironmentRecord>> {
  return retryOnConflict(`environment ${envId}`, async () => {
    const current = await readRecord(context, userId, envId);
    const value = change(current.value);
    const etag = await writeJson(context.store, layout.record(userId, envId), value, { etag: current.etag });
    return { value, etag };
  });
}

/** The record as clients see it. An upload mark older than the save deadline is an abandoned upload. */
export function toEnvironment(context: StoreContext, record: EnvironmentRecord): Environment {
  const head = record.versions.at(-1);
  const uploading =
    record.uploadingSince !== null &&
    context.clock.now().getTime() - Date.parse(record.uploadingSince) < context.limits.maxSaveDurationMs;
  return {
    _id: record._id,
    userId: record.userId,
    name: record.name,
    description: record.description,
    status: uploading ? "uploading" : head ? "ready" : "empty",
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    blobSize: record.blobSize,
    blobUploadedAt: record.blobUploadedAt,
    lastUsedAt: record.lastUsedAt,
    usageCount: record.usageCount,
    version: head?.version ?? null,
    summary: record.summary,
    ...loginExpiryNow(context, record),
  };
}

/** Where the head's logins stand at this read, from the per-domain expiries its summary stored at save time. */
function loginExpiryNow(context: StoreContext, record: EnvironmentRecord): Pick<Environment, "loginExpiry"> {
  const domains = record.summary?.cookieExpiry?.domains;
  if (domains === undefined) return {};
  const now = context.clock.now();
  return { loginExpiry: { at: now.toISOString(), ...loginExpiryAt(domains, now) } };
}
