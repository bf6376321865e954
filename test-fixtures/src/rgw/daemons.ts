import { type ChildProcess, execFile, spawn } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { appendFile } from "node:fs/promises";
import { join } from "node:path";

/** A long-running child process whose output goes to a log file. */
export interface Daemon {
  readonly name: string;
  readonly process: ChildProcess;
  /** Settles when the process ends, with its exit code (or signal name). */
  readonly exited: Promise<string>;
  readonly logFile: string;
}

/** The last lines of a log, for error messages that say why a daemon failed. */
export function logTail(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/**
 * Starts a daemon in the foreground as our child and records its pid in
 * `pidFile`, which the watchdog reads to kill it should we die abruptly.
 */
export async function startDaemon(
  name: string,
  command: string,
  args: readonly string[],
  dir: string,
  pidFile: string,
): Promise<Daemon> {
  const logFile = join(dir, "log", `${name}.out`);
  const fd = openSync(logFile, "a");
  const child = spawn(command, args, { stdio: ["ignore", fd, fd] });
  const exited = new Promise<string>((resolve) => {
    child.once("exit", (code, signal) => resolve(signal ?? String(code)));
    child.once("error", (error) => resolve(error.message));
  });
  if (child.pid !== undefined) await appendFile(pidFile, `${child.pid}\n`);
  return { name, process: child, exited, logFile };
}

/** Stops a daemon: SIGTERM, then SIGKILL if it lingers (ceph-osd often does). */
export async function stopDaemon(daemon: Daemon, graceMs = 2000): Promise<void> {
  if (daemon.process.exitCode !== null || daemon.process.signalCode !== null) return;
  daemon.process.kill("SIGTERM");
  const timer = setTimeout(() => daemon.process.kill("SIGKILL"), graceMs);
  await daemon.exited;
  clearTimeout(timer);
}

/** Runs a short command; on failure the error names the command and carries its output. */
export function run(command: string, args: readonly string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const output = `${stdout}\n${stderr}`.trim().split("\n").slice(-10).join("\n");
        reject(new Error(`${command} ${args.slice(0, 3).join(" ")} failed: ${error.message}\n${output}`));
      } else {
        resolve(stdout);
      }
    });
  });
}

/**
 * A detached shell that outlives us only to clean up: once `ownerPid` is
 * gone (even after SIGKILL, when no exit hook runs) it kills every pid listed
 * in `pidFile` and removes `dir`. Never leaves Ceph daemons behind.
 */
export function startWatchdog(ownerPid: number, pidFile: string, dir: string): ChildProcess {
  const script = `while kill -0 ${ownerPid} 2>/dev/null; do sleep 1; done
[ -f "$1" ] && kill -9 $(cat "$1") 2>/dev/null
rm -rf "$2"`;
  const child = spawn("sh", ["-c", script, "rgw-watchdog", pidFile, dir], {
    detached: true,
    stdio: "ignore",
  });
  child.unref();
  return child;
}
