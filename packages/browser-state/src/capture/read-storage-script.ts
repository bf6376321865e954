import { typedJsonSource } from "@webrun/state";

/** What {@link readStorageExpression} returns, already JSON-parsed. */
export interface PageStorage {
  localStorage: { name: string; value: string }[];
  sessionStorage: { name: string; value: string }[];
  indexedDB: {
    name: string;
    version: number;
    objectStores: {
      name: string;
      keyPath: string | string[] | null;
      autoIncrement: boolean;
      indexes: { name: string; keyPath: string | string[] | null; unique: boolean; multiEntry: boolean }[];
      records: { key: unknown; value: unknown }[];
    }[];
  }[];
}

export interface ReadStorageParts {
  localStorage: boolean;
  sessionStorage: boolean;
  indexedDB: boolean;
}

/**
 * A page-side expression that reads the storage of the document it runs in
 * and resolves to a JSON string of {@link PageStorage} (a string, so lone
 * UTF-16 surrogates survive the trip as JSON escapes). IndexedDB records are
 * read with one cursor per store and encoded as typed JSON. A database that
 * vanishes while being opened is skipped, never re-created.
 */
export function readStorageExpression(parts: ReadStorageParts): string {
  return `(async () => {
  ${typedJsonSource}
  const parts = ${JSON.stringify(parts)};
  const items = (area) => {
    const out = [];
    for (let i = 0; i < area.length; i++) { const name = area.key(i); out.push({ name, value: area.getItem(name) }); }
    return out;
  };
  const keyPathOf = (keyPath) => keyPath === null || typeof keyPath === "string" ? keyPath : Array.from(keyPath);
  const openExisting = (name) => new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    let created = false;
    request.onupgradeneeded = () => { created = true; request.transaction.abort(); };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => created ? resolve(null) : reject(request.error);
    request.onblocked = () => reject(new Error("IndexedDB open blocked"));
  });
  const readStore = (store) => new Promise((resolve, reject) => {
    const records = [];
    const cursor = store.openCursor();
    cursor.onsuccess = () => {
      const at = cursor.result;
      if (!at) { resolve(records); return; }
      records.push({ key: __webrunTypedJson.encode(at.primaryKey), value: __webrunTypedJson.encode(at.value) });
      at.continue();
    };
    cursor.onerror = () => reject(cursor.error);
  });
  const readDatabase = async (info) => {
    const db = await openExisting(info.name);
    if (db === null) return null;
    try {
      const names = Array.from(db.objectStoreNames);
      const objectStores = [];
      if (names.length > 0) {
        const tx = db.transaction(names, "readonly");
        for (const name of names) {
          const store = tx.objectStore(name);
          const indexes = Array.from(store.indexNames).map((indexName) => {
            const index = store.index(indexName);
            return { name: indexName, keyPath: keyPathOf(index.keyPath), unique: index.unique, multiEntry: index.multiEntry };
          });
          objectStores.push({ name, keyPath: keyPathOf(store.keyPath), autoIncrement: store.autoIncrement, indexes, records: await readStore(store) });
        }
      }
      return { name: db.name, version: db.version, objectStores };
    } finally {
      db.close();
    }
  };
  const result = { localStorage: [], sessionStorage: [], indexedDB: [] };
  if (parts.localStorage) result.localStorage = items(localStorage);
  if (parts.sessionStorage) result.sessionStorage = items(sessionStorage);
  if (parts.indexedDB && typeof indexedDB !== "undefined" && indexedDB.databases) {
    for (const info of await indexedDB.databases()) {
      const database = await readDatabase(info);
      if (database !== null) result.indexedDB.push(database);
    }
  }
  return JSON.stringify(result);
})()`;
}
