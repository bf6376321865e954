/**
 * sessionStorage in a Chromium profile, read offline.
 *
 * On-disk format (measured on Chromium 156, `Default/Session Storage`,
 * bytewise leveldb):
 * - `version` → `1`; `next-map-id` → decimal text
 * - `namespace-<guid>-<storageKey>` → decimal map id. One namespace per tab;
 *   the guid has `_` for `-`, always 36 characters. The storage key keeps the
 *   origin's trailing slash (`https://a.test/`), partitioned keys read
 *   `https://b.test/^0https://a.test`.
 * - `map-<id>-<key>` → value: the key in UTF-8, the value in UTF-16LE, no
 *   format byte. Tabs cloned from one another share a map until one writes,
 *   then that tab gets a copy under a new, higher id.
 *
 * sessionStorage belongs to a tab, a BrowserState to an origin: this reader
 * merges every tab's map for a storage key. When tabs disagree on a key,
 * the map with the highest id wins: ids are handed out in creation order, so
 * that is the most recently created (forked or first written) map. It is a
 * good guess at "the latest tab", not a guarantee.
 */
import path from "node:path";
import type { OriginState } from "@webrun/state";
import { parseStorageKey } from "@webrun/state";
import { openForRead, prefixEnd } from "./leveldb.js";
import { readUtf16le } from "./text-codec.js";

/** `<profileDir>/Default/Session Storage`. */
export function sessionStorageDir(profileDir: string): string {
  return path.join(profileDir, "Default", "Session Storage");
}

const guidLength = 36;

export interface ReadSessionStorageOptions {
  /** Called for each storage key BrowserState cannot represent; its values are skipped. */
  onUnsupportedStorageKey?: (storageKey: string) => void;
}

/** Reads sessionStorage, merged across tabs per storage key (see the module doc). */
export async function readSessionStorage(
  profileDir: string,
  options: ReadSessionStorageOptions = {},
): Promise<OriginState[]> {
  return readSessionStorageDir(sessionStorageDir(profileDir), options);
}

/** {@link readSessionStorage} from a bare `Session Storage` leveldb folder. */
export async function readSessionStorageDir(
  leveldbDir: string,
  options: ReadSessionStorageOptions = {},
): Promise<OriginState[]> {
  const db = await openForRead(leveldbDir);
  if (db === undefined) return [];
  try {
    const mapIdsByStorageKey = new Map<string, number[]>();
    const namespacePrefix = Buffer.from("namespace-");
    for await (const [key, value] of db.iterator({ gte: namespacePrefix, lt: prefixEnd(namespacePrefix) })) {
      const storageKey = key.toString("utf8", namespacePrefix.length + guidLength + 1);
      const mapId = Number(value.toString("latin1"));
      if (!Number.isSafeInteger(mapId)) continue;
      const ids = mapIdsByStorageKey.get(storageKey) ?? [];
      ids.push(mapId);
      mapIdsByStorageKey.set(storageKey, ids);
    }

    const origins = new Map<string, OriginState>();
    for (const [storageKey, mapIds] of mapIdsByStorageKey) {
      const parts = parseStorageKey(storageKey);
      if (parts === undefined) {
        options.onUnsupportedStorageKey?.(storageKey);
        continue;
      }
      const merged = new Map<string, string>();
      for (const mapId of [...new Set(mapIds)].sort((a, b) => a - b)) {
        const prefix = Buffer.from(`map-${mapId}-`);
        for await (const [key, value] of db.iterator({ gte: prefix, lt: prefixEnd(prefix) })) {
          const text = readUtf16le(value);
          if (text !== undefined) merged.set(key.toString("utf8", prefix.length), text);
        }
      }
      if (merged.size === 0) continue;
      // Trailing-slash and slash-less spellings of one key land on the same origin.
      const id = `${parts.origin} ${parts.topLevelSite ?? ""}`;
      const origin = origins.get(id) ?? { ...parts, localStorage: [], sessionStorage: [], indexedDB: [] };
      for (const [name, value] of merged) origin.sessionStorage.push({ name, value });
      origins.set(id, origin);
    }
    return [...origins.values()];
  } finally {
    await db.close();
  }
}
