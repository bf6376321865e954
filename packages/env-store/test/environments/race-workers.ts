import { existsSync } from "node:fs";
import { join } from "node:path";
import { type RaceWorker, startRaceWorkers } from "@webrun/test-fixtures";

/** The worker runs the built package (dist/): build it first (turbo's test task does). */
export const workerScript = join(import.meta.dirname, "env-race-worker.mjs");

export function assertBuilt(): void {
  if (!existsSync(join(import.meta.dirname, "../../dist/environments/environment-store.js")))
    throw new Error("build @webrun/env-store first: the race workers run dist/");
}

/** Starts environment-store race workers (argv after the script: see env-race-worker.mjs). */
export function startWorkers(
  argv: (index: number) => string[],
  count: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RaceWorker[]> {
  return startRaceWorkers(count, (index) => [workerScript, ...argv(index)], env);
}

export type RaceOutcome = { ok: boolean; code?: string; version?: number; versions?: number[]; id?: string };
