import type { BrowserState, Cookie, ExtensionState, IndexedDbDatabase, OriginState } from "../state.js";
import { storageKeyOf } from "../storage-key.js";
import { canonicalJson } from "./canonical-json.js";
import { sameValue } from "./same-value.js";

/**
 * A BrowserState taken apart into units: the smallest pieces a merge takes
 * from one side or the other, and a diff reports on.
 *
 * - `cookie`: (name, domain, path, partition key)
 * - `storageItem`: (storage key, area, name) — localStorage and sessionStorage
 * - `indexedDbSchema`: (storage key, database) — version and object store definitions
 * - `indexedDbRecord`: (storage key, database, store, key)
 * - `extension`: (id) — version, manifest and files: one package, so a
 *   version change replaces it whole, as (id, version) would
 * - `extensionStorage`: (id, area, key) — `chrome.storage.local`/`sync`
 */
export const unitKinds = [
  "cookie",
  "storageItem",
  "indexedDbSchema",
  "indexedDbRecord",
  "extension",
  "extensionStorage",
] as const;
export type UnitKind = (typeof unitKinds)[number];

/**
 * One unit: its value, what it belongs to (a storage key or an extension id)
 * and the payload equality is decided on — the whole value, or just the part
 * its key does not already say (a storage item's text, a record's value).
 */
export interface Unit<T = unknown> {
  value: T;
  owner: string;
  payload: unknown;
}

export type UnitMap<T = unknown> = Map<string, Unit<T>>;

/** Whether two units (either may be absent) hold the same thing. */
export function sameUnit(a: Unit | undefined, b: Unit | undefined): boolean {
  return a === undefined || b === undefined ? a === b : sameValue(a.payload, b.payload);
}

export type StorageArea = "localStorage" | "sessionStorage";

export interface StorageItemUnit {
  area: StorageArea;
  name: string;
  value: string;
}
export type IndexedDbSchemaUnit = Omit<IndexedDbDatabase, "objectStores"> & {
  objectStores: Omit<IndexedDbDatabase["objectStores"][number], "records">[];
};
export interface IndexedDbRecordUnit {
  database: string;
  store: string;
  key: unknown;
  value: unknown;
}
export type ExtensionUnit = Omit<ExtensionState, "storage">;
export interface ExtensionStorageUnit {
  id: string;
  area: "local" | "sync";
  key: string;
  value: unknown;
}

export interface StateUnits {
  cookie: UnitMap<Cookie>;
  storageItem: UnitMap<StorageItemUnit>;
  indexedDbSchema: UnitMap<IndexedDbSchemaUnit>;
  indexedDbRecord: UnitMap<IndexedDbRecordUnit>;
  extension: UnitMap<ExtensionUnit>;
  extensionStorage: UnitMap<ExtensionStorageUnit>;
  /** Where each storage key's units came from, to put origins back together. */
  origins: Map<string, Pick<OriginState, "origin" | "topLevelSite">>;
}

/** A unit key: each part prefixed by its length, so no part's text can make two keys collide (and cheaper than JSON). */
function unitKey(...parts: string[]): string {
  let key = "";
  for (const part of parts) key += `${part.length}:${part}`;
  return key;
}

export function cookieKey(cookie: Pick<Cookie, "name" | "domain" | "path" | "partitionKey">): string {
  const partition = cookie.partitionKey;
  return unitKey(
    cookie.name,
    cookie.domain,
    cookie.path,
    // A site is never empty, so "" stands for no partition.
    partition === undefined ? "" : `${partition.topLevelSite} ${partition.hasCrossSiteAncestor}`,
  );
}

function put<T>(map: UnitMap<T>, key: string, owner: string, value: T, payload: unknown = value): void {
  map.set(key, { value, owner, payload });
}

/** A record key's identity: keys are mostly numbers and strings, which need no canonical form of their own. */
function recordKeyText(key: unknown): string {
  return key !== null && typeof key === "object" ? canonicalJson(key) : JSON.stringify(key);
}

export function unitsOf(state: BrowserState): StateUnits {
  const units: StateUnits = {
    cookie: new Map(),
    storageItem: new Map(),
    indexedDbSchema: new Map(),
    indexedDbRecord: new Map(),
    extension: new Map(),
    extensionStorage: new Map(),
    origins: new Map(),
  };
  for (const cookie of state.cookies) put(units.cookie, cookieKey(cookie), cookie.domain, cookie);
  for (const origin of state.origins) {
    const storageKey = storageKeyOf(origin);
    units.origins.set(storageKey, {
      origin: origin.origin,
      ...(origin.topLevelSite === undefined ? {} : { topLevelSite: origin.topLevelSite }),
    });
    for (const area of ["localStorage", "sessionStorage"] as const) {
      for (const { name, value } of origin[area]) {
        put(units.storageItem, unitKey(storageKey, area, name), storageKey, { area, name, value }, value);
      }
    }
    for (const database of origin.indexedDB) {
      const { objectStores, ...schema } = database;
      put(units.indexedDbSchema, unitKey(storageKey, database.name), storageKey, {
        ...schema,
        objectStores: objectStores.map(({ records: _records, ...store }) => store),
      });
      for (const store of objectStores) {
        for (const record of store.records) {
          put(
            units.indexedDbRecord,
            unitKey(storageKey, database.name, store.name, recordKeyText(record.key)),
            storageKey,
            { database: database.name, store: store.name, key: record.key, value: record.value },
            record.value,
          );
        }
      }
    }
  }
  for (const extension of state.extensions) {
    const { storage, ...rest } = extension;
    put(units.extension, unitKey(extension.id), extension.id, rest);
    for (const area of ["local", "sync"] as const) {
      for (const [key, value] of Object.entries(storage[area])) {
        put(
          units.extensionStorage,
          unitKey(extension.id, area, key),
          extension.id,
          { id: extension.id, area, key, value },
          value,
        );
      }
    }
  }
  return units;
}

/**
 * Puts units back together into the parts of a BrowserState. Records of a
 * store the schema does not have, and storage of an extension that is not
 * there, have nowhere to go: they are counted, not kept.
 */
export function assembleState(units: StateUnits): {
  cookies: Cookie[];
  origins: OriginState[];
  extensions: ExtensionState[];
  orphans: { indexedDbRecords: number; extensionStorage: number };
} {
  const origins = new Map<string, OriginState>();
  const originOf = (storageKey: string): OriginState => {
    let origin = origins.get(storageKey);
    if (origin === undefined) {
      const where = units.origins.get(storageKey);
      if (where === undefined) throw new Error(`no origin known for storage key ${storageKey}`);
      origin = { ...where, localStorage: [], sessionStorage: [], indexedDB: [] };
      origins.set(storageKey, origin);
    }
    return origin;
  };

  for (const { value, owner } of units.storageItem.values()) {
    originOf(owner)[value.area].push({ name: value.name, value: value.value });
  }
  const stores = new Map<string, { records: { key: unknown; value: unknown }[] }>();
  for (const { value, owner: storageKey } of units.indexedDbSchema.values()) {
    const database: IndexedDbDatabase = {
      ...value,
      objectStores: value.objectStores.map((store) => {
        const full = { ...store, records: [] as { key: unknown; value: unknown }[] };
        stores.set(unitKey(storageKey, value.name, store.name), full);
        return full;
      }),
    };
    originOf(storageKey).indexedDB.push(database);
  }
  let orphanRecords = 0;
  for (const { value, owner } of units.indexedDbRecord.values()) {
    const store = stores.get(unitKey(owner, value.database, value.store));
    if (store === undefined) orphanRecords++;
    else store.records.push({ key: value.key, value: value.value });
  }

  const extensions = new Map<string, ExtensionState>();
  for (const { value } of units.extension.values()) {
    extensions.set(value.id, { ...value, storage: { local: {}, sync: {} } });
  }
  let orphanStorage = 0;
  for (const { value } of units.extensionStorage.values()) {
    const extension = extensions.get(value.id);
    if (extension === undefined) orphanStorage++;
    else
      Object.defineProperty(extension.storage[value.area], value.key, {
        value: value.value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }

  return {
    cookies: [...units.cookie.values()].map((unit) => unit.value),
    origins: [...origins.values()],
    extensions: [...extensions.values()],
    orphans: { indexedDbRecords: orphanRecords, extensionStorage: orphanStorage },
  };
}
