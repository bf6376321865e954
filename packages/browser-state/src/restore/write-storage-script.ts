import type { IndexedDbDatabase, StorageItem } from "@webrun/state";
import { typedJsonSource } from "@webrun/state";

export interface StorageToWrite {
  localStorage?: readonly StorageItem[];
  sessionStorage?: readonly StorageItem[];
  indexedDB?: readonly IndexedDbDatabase[];
}

/**
 * A page-side expression that writes storage into the document's origin.
 * localStorage and sessionStorage items are set (others are kept); each
 * IndexedDB database is replaced whole: deleted, re-created at its version
 * with its stores and indexes, and its records put in one transaction.
 * Resolves to the number of items written.
 */
export function writeStorageExpression(storage: StorageToWrite): string {
  const payload = {
    localStorage: storage.localStorage ?? [],
    sessionStorage: storage.sessionStorage ?? [],
    indexedDB: storage.indexedDB ?? [],
  };
  return `(async (payload) => {
  ${typedJsonSource}
  let written = 0;
  for (const item of payload.localStorage) { localStorage.setItem(item.name, item.value); written++; }
  for (const item of payload.sessionStorage) { sessionStorage.setItem(item.name, item.value); written++; }
  const done = (request) => new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
    request.onblocked = () => reject(new Error("IndexedDB blocked by another connection"));
  });
  for (const database of payload.indexedDB) {
    await done(indexedDB.deleteDatabase(database.name));
    const open = indexedDB.open(database.name, Math.max(1, database.version));
    open.onupgradeneeded = () => {
      const db = open.result;
      for (const spec of database.objectStores) {
        const options = { autoIncrement: spec.autoIncrement };
        if (spec.keyPath !== null) options.keyPath = spec.keyPath;
        const store = db.createObjectStore(spec.name, options);
        for (const index of spec.indexes) store.createIndex(index.name, index.keyPath, { unique: index.unique, multiEntry: index.multiEntry });
      }
    };
    const db = await done(open);
    try {
      const names = database.objectStores.map((spec) => spec.name);
      if (names.length === 0) continue;
      const tx = db.transaction(names, "readwrite");
      for (const spec of database.objectStores) {
        const store = tx.objectStore(spec.name);
        for (const record of spec.records) {
          const value = __webrunTypedJson.decode(record.value);
          if (spec.keyPath === null) store.put(value, __webrunTypedJson.decode(record.key));
          else store.put(value);
          written++;
        }
      }
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error("IndexedDB transaction aborted"));
      });
    } finally {
      db.close();
    }
  }
  return written;
})(${JSON.stringify(payload)})`;
}
