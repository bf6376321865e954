/**
 * A profile's web storage in one pass: localStorage and sessionStorage read
 * offline and merged per storage key (IndexedDB is not here: its leveldb
 * uses Chromium's own comparator, so it is read through a browser).
 */
import { type OriginState, storageKeyOf } from "@webrun/state";
import { type ReadLocalStorageOptions, readLocalStorage } from "./local-storage.js";
import { readSessionStorage } from "./session-storage.js";

/** localStorage and sessionStorage of every storage key in a closed profile, localStorage's order first. */
export async function readProfileStorage(
  profileDir: string,
  options: ReadLocalStorageOptions = {},
): Promise<OriginState[]> {
  const byKey = new Map<string, OriginState>();
  for (const origin of await readLocalStorage(profileDir, options)) byKey.set(storageKeyOf(origin), origin);
  for (const origin of await readSessionStorage(profileDir, options)) {
    const existing = byKey.get(storageKeyOf(origin));
    if (existing === undefined) byKey.set(storageKeyOf(origin), origin);
    else existing.sessionStorage = origin.sessionStorage;
  }
  return [...byKey.values()];
}
