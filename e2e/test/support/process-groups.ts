import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { constants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

/** A command started in a process group of its own, as a terminal would run it. */
export interface RunningCommand {
  /** The group's id (the shell's pid). */
  pgid: number;
  stdout(): string;
  stderr(): string;
  /** Resolves with the shell's exit code (or 128 + signal) once it has exited. */
  exited: Promise<number>;
  /** Ctrl-C: SIGINT to the whole group; resolves once every process of the group is gone (SIGKILL after `graceMs`, 20 s by default). */
  interrupt(graceMs?: number): Promise<number>;
}

/**
 * Runs shell commands in process groups of their own (`sh -c`, like a
 * terminal) and kills whatever is left of every group in `killAll`, so a
 * failed test leaves no API, CLI or Chromium behind.
 */
export class ProcessGroups {
  readonly #groups = new Set<number>();

  constructor(private readonly options: { cwd: string; env: NodeJS.ProcessEnv }) {}

  start(command: string): RunningCommand {
    const child = spawn("sh", ["-c", command], {
      cwd: this.options.cwd,
      env: this.options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const pgid = child.pid;
    if (pgid === undefined) throw new Error(`could not start: ${command}`);
    this.#groups.add(pgid);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<number>((resolve) => {
      child.once("close", (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
    });
    const interrupt = async (graceMs = 20_000) => {
      signalGroup(pgid, "SIGINT");
      const gone = await groupGone(pgid, graceMs);
      if (!gone) signalGroup(pgid, "SIGKILL");
      await groupGone(pgid, 5_000);
      this.#groups.delete(pgid);
      return exited;
    };
    return { pgid, stdout: () => stdout, stderr: () => stderr, exited, interrupt };
  }

  /** Runs a command to its end; a command still running after `timeoutMs` is killed and fails the run. */
  async run(command: string, timeoutMs = 120_000): Promise<{ code: number; stdout: string; stderr: string }> {
    const running = this.start(command);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      signalGroup(running.pgid, "SIGKILL");
    }, timeoutMs);
    const code = await running.exited;
    clearTimeout(timer);
    await groupGone(running.pgid, 5_000);
    this.#groups.delete(running.pgid);
    if (timedOut) throw new Error(`timed out after ${timeoutMs} ms: ${command}\n${running.stderr()}`);
    return { code, stdout: running.stdout(), stderr: running.stderr() };
  }

  /** Ends every group still alive, Ctrl-C first so they clean up after themselves: the test's own `finally`. */
  async killAll(): Promise<void> {
    const groups = [...this.#groups];
    for (const pgid of groups) signalGroup(pgid, "SIGINT");
    await Promise.all(
      groups.map(async (pgid) => {
        if (!(await groupGone(pgid, 15_000))) signalGroup(pgid, "SIGKILL");
        await groupGone(pgid, 5_000);
      }),
    );
    this.#groups.clear();
  }
}

/** Resolves with the first value `found` gives for the command's output, or fails when it exits or times out first. */
export async function waitForOutput<T>(
  running: RunningCommand,
  found: (output: { stdout: string; stderr: string }) => T | undefined,
  what: string,
  timeoutMs = 120_000,
): Promise<T> {
  let exited = false;
  void running.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = found({ stdout: running.stdout(), stderr: running.stderr() });
    if (value !== undefined) return value;
    if (exited || Date.now() > deadline) {
      throw new Error(
        `${exited ? "exited" : "timed out"} before ${what}:\n${running.stdout()}\n${running.stderr()}`,
      );
    }
    await sleep(100);
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Polls until no live process of the group is left. Read from /proc rather
 * than with signal 0, which also answers for zombies no init has reaped yet.
 */
async function groupGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await liveMembers(pgid)) === 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
}

async function liveMembers(pgid: number): Promise<number> {
  let count = 0;
  for (const pid of await readdir("/proc")) {
    if (!/^[0-9]+$/.test(pid)) continue;
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so read after the last ")".
    const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(group) === pgid && state !== "Z" && state !== "X") count++;
  }
  return count;
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}
