import { hostname } from "node:os";

/** Who we are, written into temp and lock file names/contents so a later process can tell whether they are orphans. */
export const owner = { host: hostname(), pid: process.pid };

/** Whether a process of this host is still running (a pid from another host can't be checked). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether something left by `host`/`pid` at `time` can be reclaimed: its process is dead, or it is older than `maxAgeMs`. */
export function isOrphaned(host: string, pid: number, time: number, maxAgeMs: number): boolean {
  if (host === owner.host && !isProcessAlive(pid)) return true;
  return Date.now() - time > maxAgeMs;
}
