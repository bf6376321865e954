/** Page scripts the tests use to create and check state, as real sites would. */

/** A 1 MiB UTF-16 value (non-Latin-1, so Chromium stores it as UTF-16LE) and a 1 MiB Latin-1 one. */
export const bigUtf16 = "v€".repeat(262_144);
export const bigLatin1 = "x".repeat(1_048_576);

export const writeLocalAndSession = `(() => {
  localStorage.setItem("ключ-🙂", "значение-🙂");
  localStorage.setItem("", "empty-key");
  localStorage.setItem("bigUtf16", ${JSON.stringify(bigUtf16)});
  localStorage.setItem("bigLatin1", "x".repeat(1048576));
  sessionStorage.setItem("ss", "tab-one");
  return true;
})()`;

export const readLocalAndSession = `(() => ({
  utf: localStorage.getItem("ключ-🙂"),
  empty: localStorage.getItem(""),
  bigUtf16: localStorage.getItem("bigUtf16") === ${JSON.stringify(bigUtf16)},
  bigLatin1: localStorage.getItem("bigLatin1") === "x".repeat(1048576),
  session: sessionStorage.getItem("ss"),
}))()`;

export const writeIndexedDb = `new Promise((resolve, reject) => {
  const open = indexedDB.open("app", 3);
  open.onupgradeneeded = () => {
    const db = open.result;
    const records = db.createObjectStore("records", { keyPath: "id" });
    records.createIndex("byWhen", "when", { unique: false });
    records.createIndex("byTags", "tags", { multiEntry: true });
    db.createObjectStore("kv");
    db.createObjectStore("auto", { autoIncrement: true });
  };
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const tx = db.transaction(["records", "kv", "auto"], "readwrite");
    tx.objectStore("records").put({ id: 1, when: new Date(86400000), bytes: new Uint8Array([0, 1, 255]),
      map: new Map([["k", 1n]]), set: new Set(["x"]), tags: ["a", "b"], odd: { $type: "not-a-tag" }, nan: NaN });
    tx.objectStore("kv").put("token-in-idb", ["compound", 2]);
    tx.objectStore("kv").put(new ArrayBuffer(4), new Date(5));
    tx.objectStore("auto").put({ v: "first" });
    tx.oncomplete = () => { db.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
})`;

export const readIndexedDb = `new Promise((resolve, reject) => {
  const open = indexedDB.open("app");
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const db = open.result;
    const out = { version: db.version };
    const tx = db.transaction(["records", "kv", "auto"], "readwrite");
    const records = tx.objectStore("records");
    out.indexes = Array.from(records.indexNames);
    records.get(1).onsuccess = (e) => {
      const v = e.target.result;
      out.record = { when: v.when instanceof Date && v.when.getTime() === 86400000, bytes: v.bytes instanceof Uint8Array ? Array.from(v.bytes) : null,
        map: v.map instanceof Map && v.map.get("k") === 1n, set: v.set instanceof Set && v.set.has("x"), odd: v.odd.$type, nan: Number.isNaN(v.nan) };
    };
    records.index("byTags").getAll("b").onsuccess = (e) => { out.byTags = e.target.result.length; };
    tx.objectStore("kv").get(["compound", 2]).onsuccess = (e) => { out.kv = e.target.result; };
    tx.objectStore("kv").get(new Date(5)).onsuccess = (e) => { out.buffer = e.target.result instanceof ArrayBuffer && e.target.result.byteLength === 4; };
    tx.objectStore("auto").put({ v: "second" }).onsuccess = (e) => { out.nextAutoKey = e.target.result; };
    tx.oncomplete = () => { db.close(); resolve(out); };
    tx.onerror = () => reject(tx.error);
  };
})`;

export const expectedIndexedDb = {
  version: 3,
  indexes: ["byTags", "byWhen"],
  record: { when: true, bytes: [0, 1, 255], map: true, set: true, odd: "not-a-tag", nan: true },
  byTags: 1,
  kv: "token-in-idb",
  buffer: true,
  nextAutoKey: 2,
};

/** The cookie names and values a request carries. */
export function cookiePairs(header: string): string[] {
  return header
    .split(";")
    .map((pair) => pair.trim())
    .filter(Boolean)
    .sort();
}
