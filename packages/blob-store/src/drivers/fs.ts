import { createHash, randomBytes } from "node:crypto";
import {
  type FileHandle,
  link,
  mkdir,
  open,
  readdir,
  rename,
  rmdir,
  unlink,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Readable } from "node:stream";
import type {
  BlobBody,
  BlobInfo,
  BlobListEntry,
  BlobObject,
  BlobStore,
  GetOptions,
  PutOptions,
} from "../blob-store.js";
import { bodyToStream } from "../body.js";
import {
  blobLengthMismatch,
  blobNotFound,
  blobPreconditionFailed,
  blobRangeNotSatisfiable,
} from "../errors.js";
import { assertValidKey, resolveRange } from "../keys.js";
import { assertValidMetadata } from "../metadata.js";
import { reclaimLockLeftovers, withFileLock } from "./fs/file-lock.js";
import { KeyMutex } from "./fs/key-mutex.js";
import { isShortenedName, objectPath, segmentFileName } from "./fs/layout.js";
import { listObjects } from "./fs/listing.js";
import { isOrphaned, owner } from "./fs/owner.js";
import { encodeRecord, readRecord } from "./fs/record.js";
import { SharedSync } from "./fs/shared-sync.js";

export interface FsBlobStoreOptions {
  /** Directory holding the store (created if missing): `objects/`, `tmp/`, `locks/`. */
  root: string;
}

const writeBatchBytes = 1024 * 1024;
/** Bodies are read in 1 MiB chunks: the 64 KiB default costs a syscall and a trip through every stream above per 64 KiB. */
const readChunkBytes = 1024 * 1024;

/** Temp files of a process on another host are only reclaimed after this long. */
const foreignTempMaxAgeMs = 24 * 3600_000;

/**
 * The embedded BlobStore: objects as files under `root`. Writes go to a temp
 * file (fsynced) and are renamed into place under a per-key lock (in-process
 * mutex + lock file), so readers never see half an object and conditional
 * puts are as strict as S3's even with several processes sharing `root`.
 */
export async function createFsBlobStore(options: FsBlobStoreOptions): Promise<BlobStore> {
  const root = resolve(options.root);
  const objectsRoot = join(root, "objects");
  const tmpRoot = join(root, "tmp");
  const locksRoot = join(root, "locks");
  for (const dir of [objectsRoot, tmpRoot, locksRoot]) await mkdir(dir, { recursive: true });
  await reclaimOrphans(tmpRoot, locksRoot);
  const mutex = new KeyMutex();
  const directorySyncs = new SharedSync(syncDirectory);
  const syncDirectoryOf = (path: string) => directorySyncs.sync(dirname(path));

  function underLock<T>(key: string, work: () => Promise<T>): Promise<T> {
    const lockPath = join(locksRoot, createHash("sha256").update(key).digest("hex"));
    return mutex.run(key, () => withFileLock(lockPath, work));
  }

  async function currentInfo(file: string): Promise<BlobInfo | undefined> {
    const handle = await openIfExists(file);
    if (!handle) return undefined;
    try {
      return await readRecord(handle);
    } finally {
      await handle.close();
    }
  }

  async function writeTemp(
    key: string,
    body: BlobBody,
    options: PutOptions | undefined,
  ): Promise<{ tmp: string; info: BlobInfo }> {
    const tmp = join(tmpRoot, `${owner.host}~${owner.pid}~${Date.now()}~${randomBytes(8).toString("hex")}`);
    const handle = await open(tmp, "wx");
    try {
      const stream = bodyToStream(body);
      const signal = options?.signal;
      signal?.throwIfAborted();
      const onAbort = (): void => {
        stream.destroy(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      let size = 0;
      // Chunks are gathered into ~1 MiB writes: one syscall per 64 KiB chunk costs a third of the throughput.
      // One write is in flight while the next batch is gathered, so reading the body and writing overlap.
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let writing: Promise<unknown> = Promise.resolve();
      try {
        for await (const chunk of stream) {
          const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
          size += bytes.length;
          pending.push(bytes);
          pendingBytes += bytes.length;
          if (pendingBytes >= writeBatchBytes) {
            await writing;
            writing = handle.writev(pending);
            // Awaited before the next write or at the end; a failure meanwhile is not unhandled.
            writing.catch(() => {});
            pending = [];
            pendingBytes = 0;
          }
        }
        await writing;
        if (pending.length > 0) await handle.writev(pending);
      } finally {
        signal?.removeEventListener("abort", onAbort);
        // Never close the file under a write still in flight (a body that failed mid-way).
        await writing.catch(() => {});
      }
      signal?.throwIfAborted();
      if (options?.contentLength !== undefined && options.contentLength !== size)
        throw blobLengthMismatch(key, options.contentLength, size);
      const info: BlobInfo = {
        key,
        size,
        // Random per write: a CAS only needs "this exact write", and hashing the body would cost a second pass over it.
        etag: randomBytes(16).toString("hex"),
        lastModified: new Date(),
        metadata: { ...options?.metadata },
        ...(options?.contentType !== undefined ? { contentType: options.contentType } : {}),
      };
      await handle.write(encodeRecord(info));
      await handle.sync();
      await handle.close();
      return { tmp, info };
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw error;
    }
  }

  /** Creates the directories leading to an object; shortened ones get a `#segment` file naming their true segment. */
  async function ensureDirectories(directories: { path: string; segment: string }[]): Promise<void> {
    for (const { path, segment } of directories) {
      let created = true;
      try {
        await mkdir(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        created = false;
      }
      if (isShortenedName(basename(path))) await writeSegmentFile(path, segment);
      if (created) await syncDirectoryOf(path);
    }
  }

  /**
   * Moves a finished temp file into place: renamed over whatever is there, or,
   * for a create-only put, hard-linked (atomic, and refused when the key
   * exists). Directories are made only when missing (a first attempt that
   * finds them saves a mkdir per level on every put); made again when a
   * concurrent delete pruned them meanwhile.
   */
  async function install(tmp: string, key: string, createOnly: boolean): Promise<void> {
    const { file, directories } = objectPath(objectsRoot, key);
    // A shortened directory's `#segment` file is checked on every put: a crash may have left the directory without it.
    const checkSegments = directories.some(({ path }) => isShortenedName(basename(path)));
    for (let attempt = 0; ; attempt++) {
      try {
        // A delete elsewhere under the same prefix may prune a directory between two mkdirs: start over then.
        if (attempt > 0 || checkSegments) await ensureDirectories(directories);
        if (createOnly) await linkUnlessExists(tmp, file, key);
        else await rename(tmp, file);
        await syncDirectoryOf(file);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt >= 10) throw error;
      }
    }
  }

  async function pruneEmptyDirectories(key: string): Promise<void> {
    const { directories } = objectPath(objectsRoot, key);
    for (const { path } of directories.reverse()) {
      if (isShortenedName(basename(path))) return;
      try {
        await rmdir(path);
      } catch {
        return;
      }
    }
  }

  return {
    driver: "fs",

    async put(key: string, body: BlobBody, options?: PutOptions): Promise<BlobInfo> {
      assertValidKey(key);
      assertValidMetadata(options?.metadata);
      const { file } = objectPath(objectsRoot, key);
      if (options?.ifNoneMatch === "*" || options?.ifMatch !== undefined) {
        checkPrecondition(key, await currentInfo(file), options);
      }
      const { tmp, info } = await writeTemp(key, body, options);
      try {
        // Create-only needs no lock: the link itself fails when the key exists, and every
        // other write checks and renames under the lock, so none can slip between.
        if (options?.ifNoneMatch === "*" && options.ifMatch === undefined) {
          await install(tmp, key, true);
          // The object is in place: a temp name left behind is only a leftover, reclaimed later.
          await unlink(tmp).catch(() => {});
        } else {
          await underLock(key, async () => {
            checkPrecondition(key, await currentInfo(file), options);
            await install(tmp, key, false);
          });
        }
      } catch (error) {
        await unlink(tmp).catch(() => {});
        throw error;
      }
      return info;
    },

    async get(key: string, options?: GetOptions): Promise<BlobObject> {
      assertValidKey(key);
      const handle = await openIfExists(objectPath(objectsRoot, key).file);
      if (!handle) throw blobNotFound(key);
      try {
        options?.signal?.throwIfAborted();
        const info = await readRecord(handle);
        const range = options?.range ? resolveRange(options.range, info.size) : undefined;
        if (options?.range && !range) throw blobRangeNotSatisfiable(key, info.size);
        const start = range?.start ?? 0;
        const end = range?.end ?? info.size - 1;
        if (end < start) {
          await handle.close();
          return { ...info, body: Readable.from([]) };
        }
        const body = handle.createReadStream({
          start,
          end,
          highWaterMark: readChunkBytes,
          ...(options?.signal ? { signal: options.signal } : {}),
        });
        return { ...info, body, ...(range ? { range } : {}) };
      } catch (error) {
        await handle.close().catch(() => {});
        throw error;
      }
    },

    async head(key: string): Promise<BlobInfo | undefined> {
      assertValidKey(key);
      return currentInfo(objectPath(objectsRoot, key).file);
    },

    async delete(key: string): Promise<void> {
      assertValidKey(key);
      const { file } = objectPath(objectsRoot, key);
      const removed = await underLock(key, async () => {
        try {
          await unlink(file);
          await syncDirectoryOf(file);
          return true;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
          throw error;
        }
      });
      if (removed) await pruneEmptyDirectories(key);
    },

    list(prefix: string): AsyncIterable<BlobListEntry> {
      return listObjects(objectsRoot, prefix, currentInfo);
    },

    async close(): Promise<void> {},
  };
}

function checkPrecondition(
  key: string,
  current: BlobInfo | undefined,
  options: PutOptions | undefined,
): void {
  if (options?.ifNoneMatch === "*" && current) throw blobPreconditionFailed(key);
  if (options?.ifMatch !== undefined && current?.etag !== options.ifMatch) throw blobPreconditionFailed(key);
}

/** Names a shortened directory's true segment: written aside, then linked into place, so it is never seen half-written. */
async function writeSegmentFile(directory: string, segment: string): Promise<void> {
  const aside = join(directory, `${segmentFileName}#${randomBytes(8).toString("hex")}`);
  await writeFile(aside, segment);
  try {
    await link(aside, join(directory, segmentFileName));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    await unlink(aside).catch(() => {});
  }
}

/** Hard-links `tmp` to `file`, or fails with BLOB_PRECONDITION_FAILED when `file` exists. */
async function linkUnlessExists(tmp: string, file: string, key: string): Promise<void> {
  try {
    await link(tmp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") throw blobPreconditionFailed(key);
    throw error;
  }
}

async function openIfExists(file: string): Promise<FileHandle | undefined> {
  try {
    return await open(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw error;
  }
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Removes temp files left by crashed writers: those of a dead process of this host, or old ones. Never visible as objects anyway. */
async function reclaimOrphans(tmpRoot: string, locksRoot: string): Promise<void> {
  for (const name of await readdir(tmpRoot)) {
    const [host, pid, time] = name.split("~");
    if (host === undefined || isOrphaned(host, Number(pid), Number(time), foreignTempMaxAgeMs))
      await unlink(join(tmpRoot, name)).catch(() => {});
  }
  await reclaimLockLeftovers(locksRoot);
}
