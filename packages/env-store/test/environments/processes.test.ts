import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEncryptedBlobStore, createFsBlobStore, loadOrCreateLocalKeyring } from "@webrun/blob-store";
import { killRaceWorkers, race } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironmentStore, type EnvironmentStore } from "../../src/index.js";
import { assertBuilt, type RaceOutcome as Outcome, startWorkers } from "./race-workers.js";

/*
 * Several real processes saving the same environment through one fs store
 * root (and one local master key), as several API processes sharing
 * DATA_DIR do. The workers run dist/, so build the package first.
 */

const user = "racer";
let root = "";
let store: EnvironmentStore;

beforeAll(async () => {
  assertBuilt();
  root = await mkdtemp(join(tmpdir(), "webrun-env-race-"));
  const { keyring } = await loadOrCreateLocalKeyring(root);
  store = createEnvironmentStore({
    store: createEncryptedBlobStore(await createFsBlobStore({ root: join(root, "store") }), keyring),
    limits: { keepVersions: 100 },
  });
});
afterAll(async () => {
  killRaceWorkers();
  await rm(root, { recursive: true, force: true });
});

describe("environments shared by several processes on the fs driver", () => {
  it("admits exactly one save per base version, round after round", async () => {
    const env = await store.create(user, { name: "contested" });
    await store.saveVersion(user, env._id, {
      state: { version: 1, cookies: [], origins: [], extensions: [] },
    });
    for (let round = 1; round <= 3; round += 1) {
      const workers = await startWorkers(
        (i) => [root, user, env._id, "save-on-base", `r${round}-w${i}`, String(round)],
        5,
      );
      const results = await race<Outcome>(workers);
      const winners = results.filter((r) => r.ok);
      expect(winners, JSON.stringify(results)).toHaveLength(1);
      expect(winners[0]?.version).toBe(round + 1);
      for (const loser of results.filter((r) => !r.ok)) expect(loser.code).toBe("VERSION_CONFLICT");
      const head = await store.loadVersion(user, env._id);
      expect(head.version).toBe(round + 1);
      const winnerIndex = results.findIndex((r) => r.ok);
      expect(head.state.cookies[0]?.value).toBe(`r${round}-w${winnerIndex}`);
    }
  }, 120_000);

  it("keeps every last-writer-wins save as its own version: nothing lost", async () => {
    const env = await store.create(user, { name: "busy" });
    const workers = await startWorkers((i) => [root, user, env._id, "save-many", `w${i}`, "5"], 4);
    const results = await race<Outcome>(workers);
    const versions = results.flatMap((r) => r.versions ?? []).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const history = await store.history(user, env._id);
    expect(history).toHaveLength(20);
    const values = new Set<string>();
    for (const { version } of history)
      values.add((await store.loadVersion(user, env._id, version)).state.cookies[0]?.value as string);
    expect(values.size).toBe(20);
  }, 120_000);

  it("admits exactly the limit when processes race to create", async () => {
    const other = "creator";
    const spawned = await startWorkers((i) => [root, other, "-", "create", `env ${i}`, "5"], 9);
    const results = await race<Outcome>(spawned);
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok).every((r) => r.code === "ENVIRONMENT_LIMIT_REACHED")).toBe(true);
    expect(await store.list(other)).toHaveLength(5);
  }, 120_000);

  it("survives a process killed mid-save: the previous version stays whole and saving goes on", async () => {
    const env = await store.create(user, { name: "killed" });
    await store.saveVersion(user, env._id, {
      state: { version: 1, cookies: [], origins: [], extensions: [] },
    });
    const [worker] = await startWorkers(
      () => [root, user, env._id, "save-slowly", "never-committed", "0"],
      1,
    );
    if (!worker) throw new Error("no worker");
    worker.child.stdin?.write("go\n");
    expect(JSON.parse((await worker.lines.next()).value as string)).toEqual({ uploading: true });
    worker.child.kill("SIGKILL");
    await new Promise((resolve) => worker.child.once("exit", resolve));
    const head = await store.loadVersion(user, env._id);
    expect(head.version).toBe(1);
    expect(head.state.cookies).toEqual([]);
    const next = await store.saveVersion(user, env._id, {
      state: { version: 1, cookies: [], origins: [], extensions: [] },
      baseVersion: 1,
    });
    expect(next.version).toBe(2);
    expect((await store.get(user, env._id)).status).toBe("ready");
  }, 120_000);
});
