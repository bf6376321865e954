import type { BlobListEntry } from "@webrun/blob-store";
import { mapConcurrently } from "./concurrency.js";
import type { StoreContext } from "./context.js";
import { removeEnvironmentObjects } from "./environments.js";
import { readJson, writeJson } from "./json-object.js";
import { assertUserId, layout, parseEnvironmentKey } from "./layout.js";
import { environmentRecordSchema, manifestSchema, userIndexSchema } from "./schemas.js";

export interface GarbageReport {
  environmentsScanned: number;
  objectsScanned: number;
  /** Objects removed: unreferenced parts and manifests, and remnants of deleted or never-finished environments. */
  objectsDeleted: number;
  /** Plaintext bytes those objects held. */
  bytesDeleted: number;
}

interface EnvironmentObjects {
  userId: string;
  envId: string;
  objects: BlobListEntry[];
}

/**
 * Removes what no version needs any more — and never what a head or an
 * in-flight save still needs. The protocol, with G the grace period and D
 * the save deadline (G > D):
 *
 * - Saves write parts, then the manifest, then move the head, all within D
 *   of starting (or fail without moving it). Parts and manifests are
 *   written once under fresh keys and never overwritten.
 * - A manifest is live while it is a kept version, retired less than G ago,
 *   or younger than G (a save between writing it and moving the head).
 * - A part is live while a live manifest lists it, or it is younger than G
 *   (a save that uploaded it has not written its manifest yet).
 * - Saves reuse only parts of the head they read at their start. That head
 *   is kept, or was retired less than D < G ago, for as long as the save
 *   runs — so a reused part is live until the save's own manifest lists it.
 *
 * Everything else is deleted, as are environments that are marked deleted,
 * have no record, or never made it into their user's index (after G).
 * "Younger than G" compares the store's `lastModified` with this process's
 * clock: their skew must stay well below G − D.
 */
export async function collectGarbage(
  context: StoreContext,
  options: { userId?: string } = {},
): Promise<GarbageReport> {
  if (options.userId !== undefined) assertUserId(options.userId);
  const now = context.clock.now().getTime();
  const grace = context.limits.gracePeriodMs;
  const isYoung = (info: BlobListEntry) => now - info.lastModified.getTime() < grace;
  const report: GarbageReport = {
    environmentsScanned: 0,
    objectsScanned: 0,
    objectsDeleted: 0,
    bytesDeleted: 0,
  };

  const groups = new Map<string, EnvironmentObjects>();
  for await (const info of context.store.list(
    options.userId === undefined ? layout.usersPrefix : layout.environmentsPrefix(options.userId),
  )) {
    const parsed = parseEnvironmentKey(info.key);
    if (!parsed) continue;
    report.objectsScanned += 1;
    const id = `${parsed.userId}/${parsed.envId}`;
    const group = groups.get(id) ?? { userId: parsed.userId, envId: parsed.envId, objects: [] };
    group.objects.push(info);
    groups.set(id, group);
  }

  const indexes = new Map<string, Set<string> | undefined>();
  const indexOf = async (userId: string) => {
    if (!indexes.has(userId)) {
      const index = await readJson(context.store, layout.index(userId), userIndexSchema);
      indexes.set(userId, index && new Set(index.value.environments.map((entry) => entry.id)));
    }
    return indexes.get(userId);
  };

  const remove = async (objects: readonly BlobListEntry[]) => {
    await mapConcurrently(objects, context.limits.transferConcurrency, (info) =>
      context.store.delete(info.key),
    );
    report.objectsDeleted += objects.length;
    report.bytesDeleted += objects.reduce((total, info) => total + info.size, 0);
  };

  for (const { userId, envId, objects } of groups.values()) {
    report.environmentsScanned += 1;
    const recordKey = layout.record(userId, envId);
    const record = await readJson(context.store, recordKey, environmentRecordSchema);
    // A record missing from an existing index is a create that never finished. Without any index
    // (lost, or the user's first create crashed) nothing is judged by it: better garbage than data loss.
    const index = await indexOf(userId);
    const unindexed = index !== undefined && !index.has(envId);
    const abandoned =
      !record ||
      record.value.deletedAt !== null ||
      (unindexed && now - Date.parse(record.value.createdAt) >= grace);
    if (abandoned) {
      // Without a record, a save may still be writing into a just-deleted environment: only old remnants go.
      if (record) {
        await removeEnvironmentObjects(context, userId, envId);
        report.objectsDeleted += objects.length;
        report.bytesDeleted += objects.reduce((total, info) => total + info.size, 0);
      } else if (!objects.some(isYoung)) await remove(objects);
      continue;
    }

    const kept = new Set(record.value.versions.map((entry) => entry.manifestKey));
    const retiredLive = new Set(
      record.value.retired.filter((r) => now - Date.parse(r.retiredAt) < grace).map((r) => r.manifestKey),
    );
    const versionsPrefix = layout.versionsPrefix(userId, envId);
    const contentPrefix = layout.contentPrefix(userId, envId);
    const manifests = objects.filter((info) => info.key.startsWith(versionsPrefix));
    const liveManifests = manifests.filter(
      (info) => kept.has(info.key) || retiredLive.has(info.key) || isYoung(info),
    );
    const liveParts = new Set<string>();
    await mapConcurrently(liveManifests, context.limits.transferConcurrency, async (info) => {
      const manifest = await readJson(context.store, info.key, manifestSchema);
      if (!manifest) return;
      for (const part of [
        manifest.value.state,
        ...manifest.value.originGroups,
        ...manifest.value.extensionFiles,
        ...manifest.value.profileFiles,
      ])
        liveParts.add(part.key);
    });
    const liveManifestKeys = new Set(liveManifests.map((info) => info.key));
    await remove([
      ...manifests.filter((info) => !liveManifestKeys.has(info.key)),
      ...objects.filter(
        (info) => info.key.startsWith(contentPrefix) && !liveParts.has(info.key) && !isYoung(info),
      ),
    ]);

    if (record.value.retired.some((r) => !retiredLive.has(r.manifestKey))) {
      // Forget retirements past the grace period; losing this race only means trying again next run.
      const next = {
        ...record.value,
        retired: record.value.retired.filter((r) => retiredLive.has(r.manifestKey)),
      };
      await writeJson(context.store, recordKey, next, { etag: record.etag }).catch(() => {});
    }
  }
  return report;
}
