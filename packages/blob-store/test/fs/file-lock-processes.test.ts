import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { exitedProcessPid, killRaceWorkers, race, startRaceWorkers } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transpileBlobStoreForWorkers } from "../transpile-for-workers.js";

/* The fs driver's per-key lock file, taken and broken by real processes at once. */

const worker = join(import.meta.dirname, "lock-race-worker.mjs");
let dir = "";
let lockModule = "";

beforeAll(async () => {
  lockModule = join(await transpileBlobStoreForWorkers(), "drivers/fs/file-lock.js");
  dir = await mkdtemp(join(tmpdir(), "webrun-lock-race-"));
});
afterAll(async () => {
  killRaceWorkers();
  await rm(dir, { recursive: true, force: true });
  if (lockModule) await rm(dirname(dirname(dirname(lockModule))), { recursive: true, force: true });
});

describe("fs lock file shared by processes that break stale locks", () => {
  it("is held by one process at a time while others break stale locks and take it", async () => {
    const lockPath = join(dir, "lock");
    const logPath = join(dir, "log");
    const pid = await exitedProcessPid();
    const processes = 6;
    const rounds = 150;
    const workers = await startRaceWorkers(processes, (id) => [
      worker,
      lockModule,
      lockPath,
      logPath,
      String(id),
      String(rounds),
      String(pid),
    ]);
    const results = await race<{ planted: number }>(workers);
    // Stale locks were left and broken throughout.
    expect(results.reduce((sum, r) => sum + r.planted, 0)).toBeGreaterThan(processes * 10);

    const log = (await readFile(logPath, "utf8")).trim().split("\n");
    expect(log).toHaveLength(2 * processes * rounds);
    const overlaps: string[] = [];
    for (let i = 0; i < log.length; i += 2) {
      const [enter, leave] = [log[i] as string, log[i + 1] as string];
      if (!enter.startsWith("enter ") || leave !== `leave ${enter.slice(6)}`)
        overlaps.push(`${i}: ${enter} / ${leave}`);
    }
    expect(overlaps).toEqual([]);
  }, 180_000);
});
