import type { BrowserState, Cookie, ExtensionState, IndexedDbDatabase, OriginState } from "../state.js";
import { storageKeyOf } from "../storage-key.js";
import { canonicalJson } from "./canonical-json.js";

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

/** One unit: its value and the canonical text that equality is decided on. */
export interface Unit<T = unknown> {
  value: T;
  canonical: string;
}

export type UnitMap<T = unknown> = Map<string, Unit<T>>;

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

/** A unit key: the parts as a JSON array, so no choice of separator can make two keys collide. */
function unitKey(...parts: unknown[]): string {
  return JSON.stringify(parts);
}

export function cookieKey(cookie: Pick<Cookie, "name" | "domain" | "path" | "partitionKey">): string {
  const partition = cookie.partitionKey;
  return unitKey(
    cookie.name,
    cookie.domain,
    cookie.path,
    partition === undefined ? null : [partition.topLevelSite, partition.hasCrossSiteAncestor],
  );
}

/** What a unit belongs to: the storage key of origin storage, the extension id of extension units. */
export function ownerOfUnit(key: string): string {
  const parts = JSON.parse(key) as unknown[];
  return String(parts[0]);
}

function put<T>(map: UnitMap<T>, key: string, value: T): void {
  map.set(key, { value, canonical: canonicalJson(value) });
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
  for (const cookie of state.cookies) put(units.cookie, cookieKey(cookie), cookie);
  for (const origin of state.origins) {
    const storageKey = storageKeyOf(origin);
    units.origins.set(storageKey, {
      origin: origin.origin,
      ...(origin.topLevelSite === undefined ? {} : { topLevelSite: origin.topLevelSite }),
    });
    for (const area of ["localStorage", "sessionStorage"] as const) {
      for (const { name, value } of origin[area]) {
        put(units.storageItem, unitKey(storageKey, area, name), { area, name, value });
      }
    }
    for (const database of origin.indexedDB) {
      const { objectStores, ...schema } = database;
      put(units.indexedDbSchema, unitKey(storageKey, database.name), {
        ...schema,
        objectStores: objectStores.map(({ records: _records, ...store }) => store),
      });
      for (const store of objectStores) {
        for (const record of store.records) {
          put(
            units.indexedDbRecord,
            unitKey(storageKey, database.name, store.name, canonicalJson(record.key)),
            {
              database: database.name,
              store: store.name,
              key: record.key,
              value: record.value,
            },
          );
        }
      }
    }
  }
  for (const extension of state.extensions) {
    const { storage, ...rest } = extension;
    put(units.extension, unitKey(extension.id), rest);
    for (const area of ["local", "sync"] as const) {
      for (const [key, value] of Object.entries(storage[area])) {
        put(units.extensionStorage, unitKey(extension.id, area, key), { id: extension.id, area, key, value });
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
  const originOf = (unitKeyText: string): OriginState => {
    const storageKey = ownerOfUnit(unitKeyText);
    let origin = origins.get(storageKey);
    if (origin === undefined) {
      const where = units.origins.get(storageKey);
      if (where === undefined) throw new Error(`no origin known for storage key ${storageKey}`);
      origin = { ...where, localStorage: [], sessionStorage: [], indexedDB: [] };
      origins.set(storageKey, origin);
    }
    return origin;
  };

  for (const [key, { value }] of units.storageItem) {
    originOf(key)[value.area].push({ name: value.name, value: value.value });
  }
  const stores = new Map<string, { records: { key: unknown; value: unknown }[] }>();
  for (const [key, { value }] of units.indexedDbSchema) {
    const storageKey = ownerOfUnit(key);
    const database: IndexedDbDatabase = {
      ...value,
      objectStores: value.objectStores.map((store) => {
        const full = { ...store, records: [] as { key: unknown; value: unknown }[] };
        stores.set(unitKey(storageKey, value.name, store.name), full);
        return full;
      }),
    };
    originOf(key).indexedDB.push(database);
  }
  let orphanRecords = 0;
  for (const [key, { value }] of units.indexedDbRecord) {
    const store = stores.get(unitKey(ownerOfUnit(key), value.database, value.store));
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
