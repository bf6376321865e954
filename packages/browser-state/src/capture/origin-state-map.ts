import { type OriginState, storageKeyOf } from "@webrun/state";
import type { StorageKeyParts } from "../profile/index.js";
import type { PageStorage } from "./read-storage-script.js";

/**
 * Origin states collected during a capture, one per storage key. A key read
 * twice (two tabs of one origin) merges: sessionStorage is per tab, so the
 * union is kept (first tab wins a clash); localStorage and IndexedDB are
 * per storage key, so the first complete read stands.
 */
export class OriginStateMap {
  private readonly byKey = new Map<string, OriginState>();

  has(key: StorageKeyParts): boolean {
    return this.byKey.has(storageKeyOf(key));
  }

  add(key: StorageKeyParts, storage: Partial<PageStorage>): void {
    const id = storageKeyOf(key);
    const existing = this.byKey.get(id);
    if (existing === undefined) {
      this.byKey.set(id, {
        origin: key.origin,
        ...(key.topLevelSite !== undefined && key.topLevelSite !== key.origin
          ? { topLevelSite: key.topLevelSite }
          : {}),
        localStorage: storage.localStorage ?? [],
        sessionStorage: storage.sessionStorage ?? [],
        indexedDB: storage.indexedDB ?? [],
      });
      return;
    }
    if (existing.localStorage.length === 0 && storage.localStorage)
      existing.localStorage = storage.localStorage;
    if (existing.indexedDB.length === 0 && storage.indexedDB) existing.indexedDB = storage.indexedDB;
    if (storage.sessionStorage && storage.sessionStorage.length > 0) {
      const names = new Set(existing.sessionStorage.map((item) => item.name));
      for (const item of storage.sessionStorage)
        if (!names.has(item.name)) existing.sessionStorage.push(item);
    }
  }

  /** Replaces localStorage wholesale (the on-disk copy after the browser closed is authoritative). */
  setLocalStorage(key: StorageKeyParts, items: OriginState["localStorage"]): void {
    const existing = this.byKey.get(storageKeyOf(key));
    if (existing) existing.localStorage = items;
    else this.add(key, { localStorage: items });
  }

  /** Origins that hold anything, in storage-key order (stable output). */
  toArray(): OriginState[] {
    return [...this.byKey.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, state]) => state)
      .filter(
        (state) =>
          state.localStorage.length > 0 || state.sessionStorage.length > 0 || state.indexedDB.length > 0,
      );
  }
}
