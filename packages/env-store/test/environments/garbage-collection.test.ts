import { randomBytes } from "node:crypto";
import { type BlobStore, createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { createEnvironmentStore, type LoadedVersion } from "../../src/index.js";
import { EXTENSION_ID, extensionFiles, manualClock, stateWith } from "./fixtures.js";

const user = "alice";
const HOUR = 60 * 60 * 1000;
const limits = { keepVersions: 1, gracePeriodMs: 10 * HOUR, maxSaveDurationMs: HOUR };

async function keysUnder(blobs: BlobStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of blobs.list(prefix)) keys.push(info.key);
  return keys;
}

/** Reads every part of a version back, so a missing or damaged part fails the test. */
async function readEverything(version: LoadedVersion): Promise<number> {
  let bytes = 0;
  for (const file of version.extensionFiles)
    bytes += (await readAll(await version.openExtensionFile(file.extensionId, file.path))).length;
  return bytes;
}

/**
 * The store as garbage collection sees it under the test's clock: each
 * object was last modified when that clock said it was written (the memory
 * store stamps real time, which the clock's jumps leave hours behind).
 */
function onClock(blobs: BlobStore, clock: { now(): Date }): BlobStore {
  const writtenAt = new Map<string, Date>();
  const store: BlobStore = Object.create(blobs);
  store.put = async (key, body, options) => {
    const info = await blobs.put(key, body, options);
    const at = clock.now();
    writtenAt.set(key, at);
    return { ...info, lastModified: at };
  };
  store.list = async function* (prefix) {
    for await (const entry of blobs.list(prefix))
      yield { ...entry, lastModified: writtenAt.get(entry.key) ?? entry.lastModified };
  };
  return store;
}

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

describe("garbage collection", () => {
  it("never deletes what an in-flight save reuses, even when its version is retired meanwhile", async () => {
    const clock = manualClock();
    // The in-flight save writes parts after the clock's jump: they must look as young as they are.
    const blobs = onClock(createMemoryBlobStore(), clock);
    const store = createEnvironmentStore({ store: blobs, clock, limits });
    const env = await store.create(user, { name: "gc" });
    const contentPrefix = `users/${user}/environments/${env._id}/content/`;
    const extension = extensionFiles(200_000, 3);
    await store.saveVersion(user, env._id, {
      state: stateWith("v1", extension),
      extensionFiles: extension.open,
    });
    clock.advance(11 * HOUR); // every part of v1 is now older than the grace period

    // An in-flight save that reuses v1's extension parts and waits on one new file.
    const late = Buffer.from(randomBytes(5000));
    extension.files.set("late.js", late);
    const hold = gate();
    const inFlight = store.saveVersion(user, env._id, {
      state: stateWith("v-in-flight", extension),
      extensionFiles: async (id, path) => {
        if (path === "late.js") await hold.opened;
        return extension.open(id, path);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Meanwhile another save retires v1 (keepVersions 1) and GC runs.
    await store.saveVersion(user, env._id, { state: stateWith("v-other") });
    const duringSave = await store.collectGarbage();
    expect(duringSave.objectsDeleted).toBe(0);

    hold.open();
    const saved = await inFlight;
    expect(saved.version).toBe(3);
    const loaded = await store.loadVersion(user, env._id);
    expect(loaded.state.cookies[0]?.value).toBe("v-in-flight");
    const extensionBytes = [...extension.files.values()].reduce((n, b) => n + b.length, 0);
    expect(await readEverything(loaded)).toBe(extensionBytes);

    // Once the grace period has passed, what only retired versions held goes; the head stays whole.
    const before = await keysUnder(blobs, contentPrefix);
    clock.advance(11 * HOUR);
    const after = await store.collectGarbage();
    expect(after.objectsDeleted).toBeGreaterThanOrEqual(4); // v1 and v2 manifests, their state parts
    expect((await keysUnder(blobs, contentPrefix)).length).toBeLessThan(before.length);
    const reloaded = await store.loadVersion(user, env._id);
    expect(await readEverything(reloaded)).toBe(extensionBytes);
    expect(await keysUnder(blobs, `users/${user}/environments/${env._id}/versions/`)).toHaveLength(1);
  });

  it("keeps young orphans (a save between upload and commit) and removes old ones", async () => {
    const clock = manualClock();
    const blobs = createMemoryBlobStore();
    const store = createEnvironmentStore({ store: blobs, clock, limits });
    const env = await store.create(user, { name: "orphans" });
    await store.saveVersion(user, env._id, { state: stateWith("head") });
    const orphan = `users/${user}/environments/${env._id}/content/${"0".repeat(32)}`;
    await blobs.put(orphan, "left by a crashed save");
    expect((await store.collectGarbage()).objectsDeleted).toBe(0);
    expect(await blobs.head(orphan)).toBeDefined();
    clock.advance(11 * HOUR);
    expect((await store.collectGarbage()).objectsDeleted).toBe(1);
    expect(await blobs.head(orphan)).toBeUndefined();
    expect((await store.loadVersion(user, env._id)).state.cookies[0]?.value).toBe("head");
  });

  it("fails a save that outlives the deadline without moving the head, removing its uploads", async () => {
    const clock = manualClock();
    const blobs = createMemoryBlobStore();
    const store = createEnvironmentStore({ store: blobs, clock, limits });
    const env = await store.create(user, { name: "slow" });
    await store.saveVersion(user, env._id, { state: stateWith("before") });
    const contentPrefix = `users/${user}/environments/${env._id}/content/`;
    const partsBefore = await keysUnder(blobs, contentPrefix);
    const extension = extensionFiles(10_000, 2);
    const hold = gate();
    const slow = store.saveVersion(user, env._id, {
      state: stateWith("too slow", extension),
      extensionFiles: async (id, path) => {
        if (path === "lib/part-1.js") await hold.opened;
        return extension.open(id, path);
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    clock.advance(2 * HOUR);
    hold.open();
    const error = await slow.catch((e: unknown) => e);
    expect(isWebrunError(error, "SAVE_TOO_SLOW")).toBe(true);
    expect((await store.loadVersion(user, env._id)).state.cookies[0]?.value).toBe("before");
    expect((await keysUnder(blobs, contentPrefix)).sort()).toEqual(partsBefore.sort());
  });

  it("finishes deletes that stopped half-way and drops environments that never reached the index", async () => {
    const clock = manualClock();
    const blobs = createMemoryBlobStore();
    const store = createEnvironmentStore({ store: blobs, clock, limits });
    const env = await store.create(user, { name: "half-deleted" });
    await store.saveVersion(user, env._id, { state: stateWith("x") });
    // A delete that crashed right after marking the record: simulate by removing only the index entry's record mark path.
    const recordKey = `users/${user}/environments/${env._id}/record.json`;
    const record = JSON.parse((await readAll((await blobs.get(recordKey)).body)).toString());
    await blobs.put(recordKey, JSON.stringify({ ...record, deletedAt: clock.now().toISOString() }));
    // A create that crashed before joining the index.
    const strayId = "0123456789abcdef01234567";
    await blobs.put(
      `users/${user}/environments/${strayId}/record.json`,
      JSON.stringify({ ...record, _id: strayId, deletedAt: null, versions: [], summary: null }),
    );
    const keep = await store.create(user, { name: "kept" });
    await store.saveVersion(user, keep._id, { state: stateWith("kept") });

    await store.collectGarbage();
    expect(await keysUnder(blobs, `users/${user}/environments/${env._id}/`)).toEqual([]);
    expect(await keysUnder(blobs, `users/${user}/environments/${strayId}/`)).toHaveLength(1);
    clock.advance(11 * HOUR);
    await store.collectGarbage();
    expect(await keysUnder(blobs, `users/${user}/environments/${strayId}/`)).toEqual([]);
    expect((await store.loadVersion(user, keep._id)).state.cookies[0]?.value).toBe("kept");
  });

  it("keeps every part of every kept version across many saves and collections", async () => {
    const clock = manualClock();
    const blobs = createMemoryBlobStore();
    const store = createEnvironmentStore({ store: blobs, clock, limits: { ...limits, keepVersions: 3 } });
    const env = await store.create(user, { name: "churn" });
    const extension = extensionFiles(30_000, 3);
    for (let round = 0; round < 8; round += 1) {
      if (round % 3 === 0) extension.files.set(`lib/round-${round}.js`, randomBytes(1000 + round));
      await store.saveVersion(user, env._id, {
        state: stateWith(`r${round}`, extension),
        extensionFiles: extension.open,
      });
      clock.advance(11 * HOUR);
      await store.collectGarbage();
      for (const { version } of await store.history(user, env._id)) {
        const loaded = await store.loadVersion(user, env._id, version);
        await readEverything(loaded);
        expect(loaded.extensionFiles.every((f) => f.extensionId === EXTENSION_ID)).toBe(true);
      }
    }
    expect((await store.history(user, env._id)).map((h) => h.version)).toEqual([8, 7, 6]);
    expect(await keysUnder(blobs, `users/${user}/environments/${env._id}/versions/`)).toHaveLength(3);
  });
});
