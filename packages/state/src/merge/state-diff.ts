import type { BrowserState } from "../state.js";
import { canonicalJson } from "./canonical-json.js";
import { sameValue } from "./same-value.js";
import {
  type ExtensionStorageUnit,
  type IndexedDbRecordUnit,
  type IndexedDbSchemaUnit,
  type StorageItemUnit,
  sameUnit,
  type Unit,
  type UnitMap,
  unitsOf,
} from "./state-units.js";

/**
 * A short, keyed fingerprint of a value: the same value gives the same text
 * under the same key, so two diffs can be compared, but the value itself
 * (a cookie, a token) is never shown and cannot be guessed without the key.
 */
export type ValueHash = (canonicalValue: string) => string;

export interface Changed<R> {
  added: R[];
  removed: R[];
  changed: (R & { before: string; after: string })[];
}

export interface CookieRef {
  name: string;
  domain: string;
  path: string;
  partition?: string;
}
export interface StorageDiff extends Changed<{ name: string }> {
  storageKey: string;
  area: StorageItemUnit["area"];
}
export interface IndexedDbDiff {
  storageKey: string;
  database: string;
  /** Absent on the side that has no such database. */
  versionBefore?: number;
  versionAfter?: number;
  schemaChanged: boolean;
  stores: {
    name: string;
    recordsBefore: number;
    recordsAfter: number;
    added: number;
    removed: number;
    changed: number;
  }[];
}
export interface ExtensionDiff {
  id: string;
  versionBefore?: string;
  versionAfter?: string;
  /** The package as a whole: version, manifest or any file. */
  packageChanged: boolean;
  /** Its files by path, compared by SHA-256. */
  files: Changed<FileRef>;
  storage: Changed<{ area: ExtensionStorageUnit["area"]; key: string }>;
}

/** A file known by its path and content digest: an extension file, a raw profile's file. */
export interface FileEntry {
  path: string;
  sha256: string;
}
export interface FileRef {
  path: string;
}

/** What differs between two states, by unit, values replaced by keyed hashes. */
export interface StateDiff {
  cookies: Changed<CookieRef>;
  storage: StorageDiff[];
  indexedDB: IndexedDbDiff[];
  extensions: ExtensionDiff[];
}

export function diffStates(before: BrowserState, after: BrowserState, hash: ValueHash): StateDiff {
  const b = unitsOf(before);
  const a = unitsOf(after);
  return {
    cookies: changedUnits(b.cookie, a.cookie, hash, ({ value }) => ({
      name: value.name,
      domain: value.domain,
      path: value.path,
      ...(value.partitionKey === undefined ? {} : { partition: value.partitionKey.topLevelSite }),
    })),
    storage: storageDiffs(b.storageItem, a.storageItem, hash),
    indexedDB: indexedDbDiffs(b.indexedDbSchema, a.indexedDbSchema, b.indexedDbRecord, a.indexedDbRecord),
    extensions: extensionDiffs(unitsByOwner(b), unitsByOwner(a), hash),
  };
}

/** Files added, removed and changed (by SHA-256) between two lists, keyed by path; a change shows keyed hashes of the digests. */
export function diffFiles(
  before: readonly FileEntry[],
  after: readonly FileEntry[],
  hash: ValueHash,
): Changed<FileRef> {
  const byPath = (files: readonly FileEntry[]): UnitMap<FileEntry> =>
    new Map(files.map((file) => [file.path, { value: file, owner: "", payload: file.sha256 }]));
  return changedUnits(byPath(before), byPath(after), hash, ({ value }) => ({ path: value.path }));
}

function changedUnits<T, R>(
  before: UnitMap<T>,
  after: UnitMap<T>,
  hash: ValueHash,
  refOf: (unit: Unit<T>) => R,
): Changed<R> {
  const result: Changed<R> = { added: [], removed: [], changed: [] };
  for (const [key, unit] of after) {
    const previous = before.get(key);
    if (previous === undefined) result.added.push(refOf(unit));
    else if (!sameValue(previous.payload, unit.payload))
      result.changed.push({
        ...refOf(unit),
        before: hash(canonicalJson(previous.payload)),
        after: hash(canonicalJson(unit.payload)),
      });
  }
  for (const [key, unit] of before) if (!after.has(key)) result.removed.push(refOf(unit));
  return result;
}

/** Splits a unit map by owner (storage key or extension id), keeping order. */
function byOwner<T>(
  units: UnitMap<T>,
  groupOf: (unit: Unit<T>) => string = (unit) => unit.owner,
): Map<string, UnitMap<T>> {
  const groups = new Map<string, UnitMap<T>>();
  for (const [key, unit] of units) {
    const group = groupOf(unit);
    let map = groups.get(group);
    if (map === undefined) {
      map = new Map();
      groups.set(group, map);
    }
    map.set(key, unit);
  }
  return groups;
}

function isEmpty(changed: Changed<unknown>): boolean {
  return changed.added.length + changed.removed.length + changed.changed.length === 0;
}

function storageDiffs(
  before: UnitMap<StorageItemUnit>,
  after: UnitMap<StorageItemUnit>,
  hash: ValueHash,
): StorageDiff[] {
  const groupOf = (unit: Unit<StorageItemUnit>) => JSON.stringify([unit.owner, unit.value.area]);
  const b = byOwner(before, groupOf);
  const a = byOwner(after, groupOf);
  const diffs: StorageDiff[] = [];
  for (const group of new Set([...a.keys(), ...b.keys()])) {
    const [storageKey, area] = JSON.parse(group) as [string, StorageItemUnit["area"]];
    const changed = changedUnits<StorageItemUnit, { name: string }>(
      b.get(group) ?? new Map(),
      a.get(group) ?? new Map(),
      hash,
      ({ value }) => ({
        name: value.name,
      }),
    );
    if (!isEmpty(changed)) diffs.push({ storageKey, area, ...changed });
  }
  return diffs;
}

function indexedDbDiffs(
  schemasBefore: UnitMap<IndexedDbSchemaUnit>,
  schemasAfter: UnitMap<IndexedDbSchemaUnit>,
  recordsBefore: UnitMap<IndexedDbRecordUnit>,
  recordsAfter: UnitMap<IndexedDbRecordUnit>,
): IndexedDbDiff[] {
  const databaseOf = (unit: Unit<IndexedDbRecordUnit | IndexedDbSchemaUnit>) =>
    JSON.stringify([unit.owner, "database" in unit.value ? unit.value.database : unit.value.name]);
  const rb = byOwner(recordsBefore, databaseOf);
  const ra = byOwner(recordsAfter, databaseOf);
  const sb = byOwner(schemasBefore, databaseOf);
  const sa = byOwner(schemasAfter, databaseOf);
  const diffs: IndexedDbDiff[] = [];
  for (const group of new Set([...sa.keys(), ...sb.keys()])) {
    const [storageKey, database] = JSON.parse(group) as [string, string];
    const schemaBefore = [...(sb.get(group)?.values() ?? [])][0];
    const schemaAfter = [...(sa.get(group)?.values() ?? [])][0];
    const storeNames = new Set([
      ...(schemaAfter?.value.objectStores ?? []).map((s) => s.name),
      ...(schemaBefore?.value.objectStores ?? []).map((s) => s.name),
    ]);
    const stores = [...storeNames].map((name) => {
      const inStore = (records: UnitMap<IndexedDbRecordUnit> | undefined) =>
        new Map(
          [...(records ?? new Map<string, Unit<IndexedDbRecordUnit>>())].filter(
            ([, u]) => u.value.store === name,
          ),
        );
      const before = inStore(rb.get(group));
      const after = inStore(ra.get(group));
      const changed = changedUnits(
        before,
        after,
        () => "",
        () => null,
      );
      return {
        name,
        recordsBefore: before.size,
        recordsAfter: after.size,
        added: changed.added.length,
        removed: changed.removed.length,
        changed: changed.changed.length,
      };
    });
    const schemaChanged = !sameUnit(schemaBefore, schemaAfter);
    if (schemaChanged || stores.some((s) => s.added + s.removed + s.changed > 0)) {
      diffs.push({
        storageKey,
        database,
        ...(schemaBefore === undefined ? {} : { versionBefore: schemaBefore.value.version }),
        ...(schemaAfter === undefined ? {} : { versionAfter: schemaAfter.value.version }),
        schemaChanged,
        stores: stores.filter((s) => schemaChanged || s.added + s.removed + s.changed > 0),
      });
    }
  }
  return diffs;
}

function unitsByOwner(state: ReturnType<typeof unitsOf>) {
  return { packages: byOwner(state.extension), storage: byOwner(state.extensionStorage) };
}

function extensionDiffs(
  before: ReturnType<typeof unitsByOwner>,
  after: ReturnType<typeof unitsByOwner>,
  hash: ValueHash,
): ExtensionDiff[] {
  const diffs: ExtensionDiff[] = [];
  const owners = new Set([
    ...after.packages.keys(),
    ...after.storage.keys(),
    ...before.packages.keys(),
    ...before.storage.keys(),
  ]);
  for (const owner of owners) {
    const packageBefore = [...(before.packages.get(owner)?.values() ?? [])][0];
    const packageAfter = [...(after.packages.get(owner)?.values() ?? [])][0];
    const storage = changedUnits<ExtensionStorageUnit, { area: ExtensionStorageUnit["area"]; key: string }>(
      before.storage.get(owner) ?? new Map(),
      after.storage.get(owner) ?? new Map(),
      hash,
      ({ value }) => ({ area: value.area, key: value.key }),
    );
    const packageChanged = !sameUnit(packageBefore, packageAfter);
    if (!packageChanged && isEmpty(storage)) continue;
    const files = diffFiles(packageBefore?.value.files ?? [], packageAfter?.value.files ?? [], hash);
    diffs.push({
      id: owner,
      ...(packageBefore === undefined ? {} : { versionBefore: packageBefore.value.version }),
      ...(packageAfter === undefined ? {} : { versionAfter: packageAfter.value.version }),
      packageChanged,
      files,
      storage,
    });
  }
  return diffs;
}
