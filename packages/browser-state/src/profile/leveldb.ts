/**
 * Opening Chromium's bytewise leveldbs (Local Storage, Session Storage,
 * extension settings) with classic-level. Chromium holds `LOCK` while it
 * runs, so opening a live profile fails: we say so instead of a raw
 * leveldb error. Opening a database (even to read) may write a new log and
 * MANIFEST into the folder: read copies, not the only backup.
 */
import { stat } from "node:fs/promises";
import { ClassicLevel } from "classic-level";
import { browserStateError } from "../errors.js";

export type BytesLevel = ClassicLevel<Buffer, Buffer>;

/** Opens (creating if needed) a leveldb for writing. */
export async function openForWrite(dir: string): Promise<BytesLevel> {
  return open(dir, true);
}

/** Opens an existing leveldb for reading; `undefined` when the folder does not exist. */
export async function openForRead(dir: string): Promise<BytesLevel | undefined> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (info === undefined) return undefined;
  if (!info.isDirectory()) {
    throw browserStateError({
      kind: "invalid_input",
      code: "PROFILE_LEVELDB_NOT_A_DIRECTORY",
      message: `not a leveldb folder: ${dir}`,
    });
  }
  return open(dir, false);
}

async function open(dir: string, createIfMissing: boolean): Promise<BytesLevel> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, {
    keyEncoding: "buffer",
    valueEncoding: "buffer",
    createIfMissing,
  });
  try {
    await db.open();
  } catch (error) {
    const text = String((error as { cause?: unknown }).cause ?? error);
    const locked = /LOCK|lock/.test(text);
    throw browserStateError({
      kind: locked ? "conflict" : "integrity",
      code: locked ? "PROFILE_LOCKED" : "PROFILE_LEVELDB_UNREADABLE",
      message: locked
        ? `the leveldb at ${dir} is locked: close Chromium (Browser.close) or read a copy`
        : `cannot open the leveldb at ${dir}`,
      cause: error,
    });
  }
  return db;
}

/** The exclusive upper bound for keys starting with `prefix` (bytewise order). */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] ?? 0) < 0xff) {
      end[i] = (end[i] ?? 0) + 1;
      return end.subarray(0, i + 1);
    }
  }
  throw new RangeError("prefix has no upper bound");
}
