import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import {
  exitedProcessPid,
  killRaceWorkers,
  type RaceWorker,
  race,
  startRaceWorkers,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readAll } from "../src/body.js";
import { createFsBlobStore } from "../src/drivers/fs.js";
import { transpileBlobStoreForWorkers } from "./transpile-for-workers.js";

/* Several real processes sharing one fs store root, as several API processes sharing DATA_DIR do. */

const worker = join(import.meta.dirname, "fs-race-worker.mjs");
let root = "";
let driverModule = "";

beforeAll(async () => {
  driverModule = join(await transpileBlobStoreForWorkers(), "drivers/fs.js");
  root = await mkdtemp(join(tmpdir(), "webrun-fs-race-"));
});
afterAll(async () => {
  killRaceWorkers();
  await rm(root, { recursive: true, force: true });
  if (driverModule) await rm(dirname(dirname(driverModule)), { recursive: true, force: true });
});

function startWorkers(count: number, args: (index: number) => string[]): Promise<RaceWorker[]> {
  return startRaceWorkers(count, (index) => [worker, driverModule, root, ...args(index)]);
}

describe("fs BlobStore shared by several processes", () => {
  it("lets exactly one process create a key with ifNoneMatch '*', round after round", async () => {
    for (let round = 0; round < 4; round++) {
      const key = `race/create-${round}`;
      const workers = await startWorkers(5, (i) => ["create", key, `process ${i}`]);
      const results = await race<{ won: boolean; code?: string }>(workers);
      const winners = results.flatMap((r, i) => (r.won ? [i] : []));
      expect(winners, `round ${round}`).toHaveLength(1);
      for (const r of results) if (!r.won) expect(r.code).toBe("BLOB_PRECONDITION_FAILED");
      const store = await createFsBlobStore({ root });
      expect((await readAll((await store.get(key)).body)).toString()).toBe(`process ${winners[0]}`);
    }
  }, 120_000);

  it("loses no increment when processes count with compare-and-swap loops", async () => {
    const store = await createFsBlobStore({ root });
    await store.put("race/counter", "0");
    const processes = 4;
    const each = 20;
    const workers = await startWorkers(processes, () => ["count", "race/counter", "", String(each)]);
    const results = await race<{ attempts: number }>(workers);
    expect((await readAll((await store.get("race/counter")).body)).toString()).toBe(String(processes * each));
    const attempts = results.reduce((sum, r) => sum + r.attempts, 0);
    expect(attempts).toBeGreaterThan(processes * each); // there was contention, and it was resolved
  }, 120_000);

  it("hides a crashed writer's temp file and removes it on the next start", async () => {
    const [w] = await startWorkers(1, () => ["hang", "crash/object"]);
    await race<{ writing: boolean }>([w as RaceWorker]);
    const exited = new Promise((resolve) => w?.child.once("exit", resolve));
    w?.child.kill("SIGKILL");
    await exited;
    expect((await readdir(join(root, "tmp"))).length).toBeGreaterThan(0);
    const store = await createFsBlobStore({ root });
    expect(await readdir(join(root, "tmp"))).toEqual([]);
    expect(await store.head("crash/object")).toBeUndefined();
    const listed = [];
    for await (const info of store.list("")) listed.push(info.key);
    expect(listed.some((k) => k.startsWith("crash/"))).toBe(false);
  }, 60_000);

  it("breaks a lock left by a dead process", async () => {
    const deadPid = await exitedProcessPid();
    const lock = join(root, "locks", createHash("sha256").update("stale/key").digest("hex"));
    await writeFile(
      lock,
      JSON.stringify({ host: hostname(), pid: deadPid, token: "left-behind", time: Date.now() }),
    );
    const store = await createFsBlobStore({ root });
    const started = Date.now();
    // A plain put takes the lock (a create-only put needs none: its hard link is the check).
    await store.put("stale/key", "written");
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync(lock)).toBe(false);
  });
});
