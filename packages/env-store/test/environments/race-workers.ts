import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { expect } from "vitest";

/** The worker runs the built package (dist/): build it first (turbo's test task does). */
export const workerScript = join(import.meta.dirname, "env-race-worker.mjs");

export function assertBuilt(): void {
  if (!existsSync(join(import.meta.dirname, "../../dist/environments/environment-store.js")))
    throw new Error("build @webrun/env-store first: the race workers run dist/");
}

export interface RaceWorker {
  child: ChildProcess;
  lines: AsyncIterator<string>;
}

/** Worker processes of one test file, so an afterAll can kill any still running. */
export const runningWorkers = new Set<ChildProcess>();

export function killRunningWorkers(): void {
  for (const child of runningWorkers) child.kill("SIGKILL");
}

/** Starts workers (argv after the script: see env-race-worker.mjs) and waits until each is ready. */
export async function startWorkers(
  argv: (index: number) => string[],
  count: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RaceWorker[]> {
  const workers = Array.from({ length: count }, (_, index) => {
    const child = spawn(process.execPath, [workerScript, ...argv(index)], {
      stdio: ["pipe", "pipe", "inherit"],
      env,
    });
    runningWorkers.add(child);
    child.once("exit", () => runningWorkers.delete(child));
    return {
      child,
      lines: createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator](),
    };
  });
  for (const w of workers) expect((await w.lines.next()).value).toBe("ready");
  return workers;
}

/** Releases all workers at once and collects each one's JSON result line. */
export async function race<T>(workers: RaceWorker[]): Promise<T[]> {
  for (const w of workers) w.child.stdin?.write("go\n");
  return Promise.all(workers.map(async (w) => JSON.parse((await w.lines.next()).value as string) as T));
}

export type RaceOutcome = { ok: boolean; code?: string; version?: number; versions?: number[]; id?: string };
