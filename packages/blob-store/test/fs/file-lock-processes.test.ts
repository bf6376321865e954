import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { transpileBlobStoreForWorkers } from "../transpile-for-workers.js";

/* The fs driver's per-key lock file, taken and broken by real processes at once. */

const worker = join(import.meta.dirname, "lock-race-worker.mjs");
let dir = "";
let lockModule = "";
const children = new Set<ChildProcess>();

beforeAll(async () => {
  lockModule = join(await transpileBlobStoreForWorkers(), "drivers/fs/file-lock.js");
  dir = await mkdtemp(join(tmpdir(), "webrun-lock-race-"));
});
afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await rm(dir, { recursive: true, force: true });
  if (lockModule) await rm(dirname(dirname(dirname(lockModule))), { recursive: true, force: true });
});

/** The pid of a process that has exited: locks it "held" are stale. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}

function startWorker(args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, [worker, lockModule, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return {
    child,
    lines: createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator](),
  };
}

describe("fs lock file shared by processes that break stale locks", () => {
  it("is held by one process at a time while others break stale locks and take it", async () => {
    const lockPath = join(dir, "lock");
    const logPath = join(dir, "log");
    const pid = await deadPid();
    const processes = 6;
    const rounds = 150;
    const workers = Array.from({ length: processes }, (_, id) =>
      startWorker([lockPath, logPath, String(id), String(rounds), String(pid)]),
    );
    for (const w of workers) expect((await w.lines.next()).value).toBe("ready");
    for (const w of workers) w.child.stdin?.write("go\n");
    const results = await Promise.all(
      workers.map(async (w) => JSON.parse((await w.lines.next()).value as string) as { planted: number }),
    );
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
