/**
 * localStorage in a Chromium profile, read and written offline.
 *
 * On-disk format (measured on Chromium 156, `Default/Local Storage/leveldb`,
 * bytewise comparator):
 * - `VERSION` → `1`
 * - `META:<storageKey>` → protobuf {1: last modified, µs since 1601-01-01;
 *   2: total bytes of the encoded keys and values, format bytes included}
 * - `METAACCESS:<storageKey>` → protobuf {1: last access, µs since 1601}
 * - `_<storageKey>\x00<key>` → `<value>`, each string prefixed by a format
 *   byte: `0x01` Latin-1 when every UTF-16 code unit is ≤ 0xFF (the empty
 *   string included), else `0x00` and UTF-16LE code units (lone surrogates
 *   kept byte for byte).
 * - the storage key is `https://a.test` (no trailing slash) or, for
 *   partitioned storage, `https://b.test/^0https://a.test` (see
 *   {@link storageKeyOf} and `storage-key.ts`).
 *
 * Chromium reads rows written before it launches as if it had written them.
 * It locks the folder while running and flushes ~5 s after a write, so read
 * a profile only after `Browser.close`.
 */
import path from "node:path";
import {
  type OriginState,
  parseStorageKey,
  type StorageItem,
  type StorageKeyParts,
  storageKeyOf,
} from "@webrun/state";
import { browserStateError } from "../errors.js";
import { openForRead, openForWrite, prefixEnd } from "./leveldb.js";
import { encodeMessage, microsSince1601 } from "./protobuf.js";
import { isLatin1, readLatin1, readUtf16le, writeLatin1, writeUtf16le } from "./text-codec.js";

/** `<profileDir>/Default/Local Storage/leveldb`. */
export function localStorageDir(profileDir: string): string {
  return path.join(profileDir, "Default", "Local Storage", "leveldb");
}

export interface WriteLocalStorageOptions {
  /** Timestamp written into META/METAACCESS; now by default. */
  now?: Date;
  /** Bytes buffered before a batch is flushed to leveldb (bounded memory for large states). */
  batchBytes?: number;
}

/**
 * Writes every origin's `localStorage` into the profile, before Chromium
 * launches. Each storage key written replaces what the profile had for it;
 * other storage keys are left alone. Origins with no items are skipped.
 * Several entries with the same storage key merge, the later item winning.
 */
export async function writeLocalStorage(
  profileDir: string,
  origins: readonly OriginState[],
  options: WriteLocalStorageOptions = {},
): Promise<void> {
  await writeLocalStorageDir(localStorageDir(profileDir), origins, options);
}

/** {@link writeLocalStorage} into a bare leveldb folder. */
export async function writeLocalStorageDir(
  leveldbDir: string,
  origins: readonly OriginState[],
  options: WriteLocalStorageOptions = {},
): Promise<void> {
  const batchLimit = options.batchBytes ?? 4 * 1024 * 1024;
  const stamp = microsSince1601(options.now ?? new Date());
  const db = await openForWrite(leveldbDir);
  try {
    let batch = db.batch();
    let pending = 0;
    const flush = async () => {
      if (batch.length > 0) await batch.write();
      else await batch.close();
      batch = db.batch();
      pending = 0;
    };
    const rows = Buffer.from("_");
    // A fresh profile (the seeding hot path) has nothing to replace.
    const hasRows = (await db.keys({ gte: rows, lt: prefixEnd(rows), limit: 1 }).all()).length > 0;
    batch.put(Buffer.from("VERSION"), Buffer.from("1"));
    for (const [storageKey, items] of itemsByStorageKey(origins)) {
      const rowPrefix = Buffer.from(`_${storageKey}\x00`, "latin1");
      if (hasRows) {
        // Replace: rows of a previous state for this key would survive otherwise.
        await flush();
        await db.clear({ gte: rowPrefix, lt: prefixEnd(rowPrefix) });
      }
      let totalBytes = 0;
      for (const [name, value] of items) {
        const key = encodeRowKey(rowPrefix, name);
        const encodedValue = encodeStorageString(value);
        totalBytes += key.length - rowPrefix.length + encodedValue.length;
        batch.put(key, encodedValue);
        pending += key.length + encodedValue.length;
        if (pending >= batchLimit) await flush();
      }
      batch.put(metaKey("META:", storageKey), encodeMessage([stamp, BigInt(totalBytes)]));
      batch.put(metaKey("METAACCESS:", storageKey), encodeMessage([stamp]));
    }
    await flush();
    await batch.close();
  } finally {
    await db.close();
  }
}

export interface ReadLocalStorageOptions {
  /**
   * Called for each storage key BrowserState cannot represent (extension
   * pages' `chrome-extension://` origins, nonce and opaque partitions, the
   * A→B→A ancestor bit); their rows are skipped.
   */
  onUnsupportedStorageKey?: (storageKey: string) => void;
}

/** Reads every origin's localStorage from a profile; `[]` when it has none. */
export async function readLocalStorage(
  profileDir: string,
  options: ReadLocalStorageOptions = {},
): Promise<OriginState[]> {
  return readLocalStorageDir(localStorageDir(profileDir), options);
}

/**
 * Reads a bare Local Storage leveldb folder (a copied or uploaded
 * `Default/Local Storage/leveldb`). Origins come back in storage-key order,
 * items in key byte order; only `localStorage` is filled.
 */
export async function readLocalStorageDir(
  leveldbDir: string,
  options: ReadLocalStorageOptions = {},
): Promise<OriginState[]> {
  const db = await openForRead(leveldbDir);
  if (db === undefined) return [];
  const origins: OriginState[] = [];
  try {
    let currentKey: string | undefined;
    let current: OriginState | undefined;
    const rows = Buffer.from("_");
    for await (const [key, value] of db.iterator({ gte: rows, lt: prefixEnd(rows) })) {
      const separator = key.indexOf(0, 1);
      if (separator === -1) continue;
      const storageKey = key.toString("latin1", 1, separator);
      if (storageKey !== currentKey) {
        currentKey = storageKey;
        current = originFor(storageKey, options);
        if (current !== undefined) origins.push(current);
      }
      if (current === undefined) continue;
      const name = decodeStorageString(key.subarray(separator + 1));
      const text = decodeStorageString(value);
      if (name === undefined || text === undefined) continue;
      current.localStorage.push({ name, value: text });
    }
  } finally {
    await db.close();
  }
  return origins;
}

/**
 * The storage keys that have localStorage, from the `META:` rows, without
 * reading any values. Unsupported storage keys are skipped (see
 * {@link ReadLocalStorageOptions}).
 */
export async function listLocalStorageOrigins(
  leveldbDir: string,
  options: ReadLocalStorageOptions = {},
): Promise<StorageKeyParts[]> {
  const db = await openForRead(leveldbDir);
  if (db === undefined) return [];
  const found: StorageKeyParts[] = [];
  try {
    const meta = Buffer.from("META:");
    for await (const key of db.keys({ gte: meta, lt: prefixEnd(meta) })) {
      const storageKey = key.toString("latin1", meta.length);
      const parts = parseStorageKey(storageKey);
      if (parts === undefined) options.onUnsupportedStorageKey?.(storageKey);
      else found.push(parts);
    }
  } finally {
    await db.close();
  }
  return found;
}

/** Encodes one localStorage key or value with its format byte, as Chromium does. */
export function encodeStorageString(text: string): Buffer {
  if (isLatin1(text)) {
    const bytes = Buffer.allocUnsafe(1 + text.length);
    bytes[0] = 0x01;
    writeLatin1(bytes, text, 1);
    return bytes;
  }
  const bytes = Buffer.allocUnsafe(1 + 2 * text.length);
  bytes[0] = 0x00;
  writeUtf16le(bytes, text, 1);
  return bytes;
}

/** Decodes a format-byte-prefixed string; `undefined` for bytes Chromium would not write. */
export function decodeStorageString(bytes: Buffer): string | undefined {
  const format = bytes[0];
  if (format === 0x01) return readLatin1(bytes.subarray(1));
  if (format === 0x00) return readUtf16le(bytes.subarray(1));
  return undefined;
}

function itemsByStorageKey(origins: readonly OriginState[]): Map<string, Map<string, string>> {
  const byKey = new Map<string, Map<string, string>>();
  for (const origin of origins) {
    if (origin.localStorage.length === 0) continue;
    const storageKey = storageKeyOf(origin);
    // A malformed origin (a NUL, a path) would corrupt row keys Chromium parses.
    if (parseStorageKey(storageKey) === undefined) {
      throw browserStateError({
        kind: "invalid_input",
        code: "STORAGE_KEY_INVALID",
        message: `cannot write localStorage for ${JSON.stringify(storageKey.slice(0, 200))}: not an http(s) origin (and site)`,
      });
    }
    let items = byKey.get(storageKey);
    if (items === undefined) {
      items = new Map();
      byKey.set(storageKey, items);
    }
    for (const item of origin.localStorage as readonly StorageItem[]) items.set(item.name, item.value);
  }
  return byKey;
}

function encodeRowKey(rowPrefix: Buffer, name: string): Buffer {
  return Buffer.concat([rowPrefix, encodeStorageString(name)]);
}

function metaKey(prefix: string, storageKey: string): Buffer {
  return Buffer.from(`${prefix}${storageKey}`, "latin1");
}

function originFor(storageKey: string, options: ReadLocalStorageOptions): OriginState | undefined {
  const parts = parseStorageKey(storageKey);
  if (parts === undefined) {
    options.onUnsupportedStorageKey?.(storageKey);
    return undefined;
  }
  return { ...parts, localStorage: [], sessionStorage: [], indexedDB: [] };
}
