import { randomBytes } from "node:crypto";
import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { blobStoreUnavailable } from "../../errors.js";
import { isOrphaned, owner } from "./owner.js";

/*
 * A lock file shared by every process using the same directory. It is
 * created complete and atomically (written aside, then hard-linked into
 * place: link fails if the lock exists), so it is never seen empty. Locks are
 * held only for the few milliseconds of a check-and-rename, so one whose
 * process is dead, or that is older than `staleMs`, is broken: renamed aside
 * (only one breaker can), checked to still be the stale one, and dropped; if
 * it was not (another process took the lock meanwhile) it is linked back.
 */

interface LockContent {
  host: string;
  pid: number;
  token: string;
  time: number;
}

const staleMs = 30_000;
const acquireTimeoutMs = 30_000;

export async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const token = await acquire(lockPath);
  try {
    return await work();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(lockPath: string): Promise<string> {
  const content: LockContent = { ...owner, token: randomBytes(12).toString("hex"), time: Date.now() };
  const aside = `${lockPath}#${content.token}`;
  await writeFile(aside, JSON.stringify(content));
  try {
    const deadline = Date.now() + acquireTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      try {
        await link(aside, lockPath);
        return content.token;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const held = await readLock(lockPath);
      if (held && isOrphaned(held.host, held.pid, held.time, staleMs)) {
        await breakLock(lockPath, held.token);
        continue;
      }
      if (Date.now() > deadline) throw blobStoreUnavailable(`timed out waiting for the lock ${lockPath}`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
    }
  } finally {
    await unlink(aside).catch(() => {});
  }
}

async function release(lockPath: string, token: string): Promise<void> {
  const held = await readLock(lockPath);
  if (held?.token === token) await unlink(lockPath).catch(() => {});
}

async function readLock(lockPath: string): Promise<LockContent | undefined> {
  try {
    return JSON.parse(await readFile(lockPath, "utf8")) as LockContent;
  } catch {
    return undefined;
  }
}

async function breakLock(lockPath: string, staleToken: string): Promise<void> {
  const aside = `${lockPath}#broken-${randomBytes(8).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return;
  }
  const taken = await readLock(aside);
  if (taken?.token !== staleToken) await link(aside, lockPath).catch(() => {});
  await unlink(aside).catch(() => {});
}
