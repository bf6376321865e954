import { setTimeout as sleep } from "node:timers/promises";

/**
 * Chromium is more than its main process: a zygote, renderers, the GPU and
 * utility processes (the network service writes the cookie database) can
 * outlive it by a moment, still writing into the profile. We start it as
 * the leader of its own process group, so "the browser is gone" can mean
 * every one of them is.
 */

/** Whether any process of the group `pgid` exists (zombies count until reaped). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== "ESRCH";
  }
}

/** SIGKILL to every process of the group; a group already gone is no error. */
export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function waitUntilGone(pgid: number, deadline: number, pollMs: number): Promise<boolean> {
  for (;;) {
    if (!groupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
}

/**
 * Resolves once no process of the group `pgid` is left (call it after the
 * leader has exited): processes still there after `graceMs` are killed. It
 * never waits forever: a group that survives SIGKILL by `graceMs` more can
 * only hold zombies nobody reaps, which write nothing.
 */
export async function processGroupGone(pgid: number, { graceMs = 5_000, pollMs = 20 } = {}): Promise<void> {
  if (await waitUntilGone(pgid, Date.now() + graceMs, pollMs)) return;
  killProcessGroup(pgid);
  await waitUntilGone(pgid, Date.now() + graceMs, pollMs);
}
