import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";

/*
 * Node child processes that race each other: each prints "ready", waits for
 * "go" on stdin so all of them start together, then prints one JSON line.
 */

export interface RaceWorker {
  child: ChildProcess;
  lines: AsyncIterator<string>;
}

const running = new Set<ChildProcess>();

/** Starts `count` workers (`argv(index)`: script and arguments) and waits until each is ready. */
export async function startRaceWorkers(
  count: number,
  argv: (index: number) => string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<RaceWorker[]> {
  const workers = Array.from({ length: count }, (_, index) => {
    const child = spawn(process.execPath, argv(index), { stdio: ["pipe", "pipe", "inherit"], env });
    running.add(child);
    child.once("exit", () => running.delete(child));
    return {
      child,
      lines: createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator](),
    };
  });
  for (const [index, worker] of workers.entries()) {
    const { value } = await worker.lines.next();
    if (value !== "ready") throw new Error(`race worker ${index} said ${JSON.stringify(value)}, not "ready"`);
  }
  return workers;
}

/** Releases all workers at once and collects each one's JSON result line. */
export async function race<T>(workers: RaceWorker[]): Promise<T[]> {
  for (const worker of workers) worker.child.stdin?.write("go\n");
  return Promise.all(
    workers.map(async (worker) => JSON.parse((await worker.lines.next()).value as string) as T),
  );
}

/** Kills workers still running (for an afterAll). */
export function killRaceWorkers(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** The pid of a process that has exited: whatever it "holds" is stale. */
export async function exitedProcessPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.once("exit", resolve));
  return child.pid as number;
}
