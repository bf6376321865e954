import { randomBytes } from "node:crypto";
import { link, readdir, readFile, stat, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { blobStoreUnavailable } from "../../errors.js";
import { isOrphaned, owner } from "./owner.js";

/*
 * A lock file shared by every process using the same directory. It is
 * created complete and atomically (written aside, then hard-linked into
 * place: link fails if the lock exists), so it is never seen empty. Locks are
 * held only for the few milliseconds of a check-and-rename, so one whose
 * process is dead, or that is older than `staleMs`, is broken.
 *
 * Ending a lock (its holder releasing it, or a process breaking it) must
 * remove that lock and never one taken after it: moving the lock aside to
 * look at it leaves the path free for a moment, and a lock put back after
 * that moment would be held twice. So whoever ends the lock with token T
 * first takes the claim file `<lock>#end-T-1`; only the claim's holder
 * reads the lock and removes it if it is still T. Nobody else can remove T
 * meanwhile, and T never comes back, so nothing else is ever removed. A
 * claim whose process died is superseded by the next generation (`-2`, …).
 */

interface LockContent {
  host: string;
  pid: number;
  token: string;
  time: number;
}

const staleMs = 30_000;
const acquireTimeoutMs = 30_000;
/** Files written aside live at most as long as an acquire, which gives up after `acquireTimeoutMs`. */
const asideMaxAgeMs = 60_000;

export async function withFileLock<T>(lockPath: string, work: () => Promise<T>): Promise<T> {
  const token = await acquire(lockPath);
  try {
    return await work();
  } finally {
    await endLock(lockPath, token);
  }
}

async function acquire(lockPath: string): Promise<string> {
  const content = ownContent();
  const aside = `${lockPath}#${content.token}`;
  await writeFile(aside, JSON.stringify(content));
  try {
    const deadline = Date.now() + acquireTimeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (await linkUnlessExists(aside, lockPath)) return content.token;
      const held = await readLock(lockPath);
      if (held && isStale(held)) {
        await endLock(lockPath, held.token);
        continue;
      }
      if (Date.now() > deadline) throw blobStoreUnavailable(`timed out waiting for the lock ${lockPath}`);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
    }
  } finally {
    await unlink(aside).catch(() => {});
  }
}

/** Removes the lock file if it still holds `token`; of everyone ending that lock, only the claim holder does. */
async function endLock(lockPath: string, token: string): Promise<void> {
  for (let generation = 1; ; generation++) {
    const claim = `${lockPath}#end-${token}-${generation}`;
    if (!(await createComplete(claim, ownContent()))) {
      const claimant = await readLock(claim);
      // A live claimant is ending it; a finished one removed its claim, and the lock with it.
      if (!claimant || !isStale(claimant)) return;
      continue;
    }
    try {
      if ((await readLock(lockPath))?.token === token) await unlink(lockPath).catch(() => {});
    } finally {
      await unlink(claim).catch(() => {});
    }
    return;
  }
}

/**
 * Removes what crashed processes left in the locks directory (never a lock
 * itself: a stale lock is broken when it is next wanted): old files written
 * aside, and end claims whose lock is gone or replaced (that token never
 * comes back, so no one needs its claim again).
 */
export async function reclaimLockLeftovers(locksRoot: string): Promise<void> {
  for (const name of await readdir(locksRoot)) {
    const [lockName, suffix, ...rest] = name.split("#");
    if (lockName === undefined || suffix === undefined) continue;
    const path = join(locksRoot, name);
    const claimed = rest.length === 0 ? /^end-([0-9a-f]+)-\d+$/.exec(suffix) : null;
    if (claimed) {
      if ((await readLock(join(locksRoot, lockName)))?.token !== claimed[1])
        await unlink(path).catch(() => {});
      continue;
    }
    const { mtimeMs } = await stat(path).catch(() => ({ mtimeMs: Date.now() }));
    if (Date.now() - mtimeMs > asideMaxAgeMs) await unlink(path).catch(() => {});
  }
}

function ownContent(): LockContent {
  return { ...owner, token: randomBytes(12).toString("hex"), time: Date.now() };
}

function isStale(content: LockContent): boolean {
  return isOrphaned(content.host, content.pid, content.time, staleMs);
}

/** Creates `path` with `content`, complete or not at all; false when it exists. */
async function createComplete(path: string, content: LockContent): Promise<boolean> {
  const aside = `${path}#${content.token}`;
  await writeFile(aside, JSON.stringify(content));
  try {
    return await linkUnlessExists(aside, path);
  } finally {
    await unlink(aside).catch(() => {});
  }
}

async function linkUnlessExists(existing: string, path: string): Promise<boolean> {
  try {
    await link(existing, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}

async function readLock(lockPath: string): Promise<LockContent | undefined> {
  try {
    return JSON.parse(await readFile(lockPath, "utf8")) as LockContent;
  } catch {
    return undefined;
  }
}
