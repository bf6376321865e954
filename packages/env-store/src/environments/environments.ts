import {
  type EnvironmentInput,
  type EnvironmentUpdate,
  environmentInputSchema,
  environmentUpdateSchema,
} from "@webrun/api-contract";
import { isWebrunError } from "@webrun/errors";
import { environmentLimitReached } from "../errors.js";
import { mapConcurrently } from "./concurrency.js";
import type { StoreContext } from "./context.js";
import { parseInput } from "./environment-input.js";
import { readJson, retryOnConflict, writeJson } from "./json-object.js";
import { assertUserId, layout, newEnvironmentId } from "./layout.js";
import { readRecord, toEnvironment, updateRecord } from "./records.js";
import { type Environment, type EnvironmentRecord, type UserIndex, userIndexSchema } from "./schemas.js";
import { historyOf, type VersionInfo } from "./versions.js";

/**
 * Creates an environment. The record is written first, then its id joins
 * the user's index by compare-and-swap; the index is where the per-user
 * limit is enforced, so racing creates from any number of processes admit
 * exactly as many as the limit allows. A create that loses removes its record.
 */
export async function createEnvironment(
  context: StoreContext,
  userId: string,
  input: EnvironmentInput,
): Promise<Environment> {
  assertUserId(userId);
  const { name, description } = parseInput(environmentInputSchema, input);
  const max = context.limits.maxEnvironmentsPerUser;
  const index = await readJson(context.store, layout.index(userId), userIndexSchema);
  if (index && index.value.environments.length >= max) throw environmentLimitReached(max);

  const now = context.clock.now().toISOString();
  const record: EnvironmentRecord = {
    format: 1,
    _id: newEnvironmentId(),
    userId,
    name,
    description: description ?? "",
    createdAt: now,
    updatedAt: now,
    blobSize: null,
    blobUploadedAt: null,
    lastUsedAt: null,
    usageCount: 0,
    uploadingSince: null,
    deletedAt: null,
    versions: [],
    retired: [],
    summary: null,
  };
  const recordKey = layout.record(userId, record._id);
  await writeJson(context.store, recordKey, record, "absent");
  // The index read above serves the first compare-and-swap; only a lost race reads it again.
  let firstRound = true;
  try {
    await retryOnConflict(`environments of user ${userId}`, async () => {
      const current = firstRound
        ? index
        : await readJson(context.store, layout.index(userId), userIndexSchema);
      firstRound = false;
      const environments = current?.value.environments ?? [];
      if (environments.length >= max) throw environmentLimitReached(max);
      const next: UserIndex = {
        format: 1,
        environments: [...environments, { id: record._id, createdAt: now }],
      };
      await writeJson(context.store, layout.index(userId), next, current ? { etag: current.etag } : "absent");
    });
  } catch (error) {
    await context.store.delete(recordKey).catch(() => {});
    throw error;
  }
  return toEnvironment(context, record);
}

/** The user's environments, newest first. */
export async function listEnvironments(context: StoreContext, userId: string): Promise<Environment[]> {
  assertUserId(userId);
  const index = await readJson(context.store, layout.index(userId), userIndexSchema);
  if (!index) return [];
  const records = await mapConcurrently(
    index.value.environments,
    context.limits.transferConcurrency,
    async (entry) => {
      try {
        return (await readRecord(context, userId, entry.id)).value;
      } catch (error) {
        // Listed but gone: a delete is half-way through. It is not the user's any more.
        if (isWebrunError(error, "ENVIRONMENT_NOT_FOUND")) return undefined;
        throw error;
      }
    },
  );
  return records
    .filter((record): record is EnvironmentRecord => record !== undefined)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b._id.localeCompare(a._id))
    .map((record) => toEnvironment(context, record));
}

export async function getEnvironment(
  context: StoreContext,
  userId: string,
  envId: string,
): Promise<Environment> {
  return toEnvironment(context, (await readRecord(context, userId, envId)).value);
}

/** An environment and its kept versions (newest first), from one read of its record. */
export async function describeEnvironment(
  context: StoreContext,
  userId: string,
  envId: string,
): Promise<{ environment: Environment; versions: VersionInfo[] }> {
  const { value } = await readRecord(context, userId, envId);
  return { environment: toEnvironment(context, value), versions: historyOf(value) };
}

export async function updateEnvironment(
  context: StoreContext,
  userId: string,
  envId: string,
  input: EnvironmentUpdate,
): Promise<Environment> {
  const change = parseInput(environmentUpdateSchema, input);
  const record = await updateRecord(context, userId, envId, (current) => ({
    ...current,
    ...(change.name === undefined ? {} : { name: change.name }),
    ...(change.description === undefined ? {} : { description: change.description }),
    updatedAt: context.clock.now().toISOString(),
  }));
  return toEnvironment(context, record);
}

/** Records that a session used the environment (`lastUsedAt`, `usageCount`). */
export async function markEnvironmentUsed(
  context: StoreContext,
  userId: string,
  envId: string,
): Promise<Environment> {
  const record = await updateRecord(context, userId, envId, (current) => ({
    ...current,
    lastUsedAt: context.clock.now().toISOString(),
    usageCount: current.usageCount + 1,
  }));
  return toEnvironment(context, record);
}

/**
 * Deletes an environment with every version and part. The record is marked
 * deleted first (from then on it reads as not found and saves fail), then
 * the id leaves the index, then the objects go, the record last. A delete
 * interrupted half-way is finished by garbage collection. Files attached to
 * the environment belong to the file service: the API deletes them too.
 */
export async function deleteEnvironment(context: StoreContext, userId: string, envId: string): Promise<void> {
  await updateRecord(context, userId, envId, (current) => ({
    ...current,
    deletedAt: context.clock.now().toISOString(),
  }));
  await retryOnConflict(`environments of user ${userId}`, async () => {
    const current = await readJson(context.store, layout.index(userId), userIndexSchema);
    if (!current) return;
    const next: UserIndex = {
      format: 1,
      environments: current.value.environments.filter((entry) => entry.id !== envId),
    };
    await writeJson(context.store, layout.index(userId), next, { etag: current.etag });
  });
  await removeEnvironmentObjects(context, userId, envId);
}

/** Deletes every object under an environment's prefix, the record last so a retry can always find it. */
export async function removeEnvironmentObjects(
  context: StoreContext,
  userId: string,
  envId: string,
): Promise<number> {
  const recordKey = layout.record(userId, envId);
  const keys: string[] = [];
  for await (const info of context.store.list(layout.environmentPrefix(userId, envId)))
    if (info.key !== recordKey) keys.push(info.key);
  await mapConcurrently(keys, context.limits.transferConcurrency, (key) => context.store.delete(key));
  await context.store.delete(recordKey);
  return keys.length + 1;
}
