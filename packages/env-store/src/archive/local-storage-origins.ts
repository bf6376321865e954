import { ClassicLevel } from "classic-level";

const META_PREFIX = "META:";

/**
 * The origins that have localStorage in a Chromium `Local Storage/leveldb`
 * folder, from its `META:<storageKey>` rows (no values are read). A
 * partitioned storage key `https://b.test/^0https://a.test` counts for its
 * origin `https://b.test`. Opening writes a log into the folder: pass a copy.
 */
export async function readLocalStorageOrigins(leveldbDir: string): Promise<string[]> {
  const db = new ClassicLevel<Buffer, Buffer>(leveldbDir, {
    createIfMissing: false,
    keyEncoding: "buffer",
    valueEncoding: "buffer",
  });
  await db.open();
  const origins = new Set<string>();
  try {
    for await (const row of db.keys({ gte: Buffer.from(META_PREFIX), lt: Buffer.from("META;") })) {
      const storageKey = row.toString("latin1", META_PREFIX.length);
      const origin = storageKey.split("/^")[0];
      if (origin) origins.add(origin);
    }
  } finally {
    await db.close();
  }
  return [...origins].sort();
}
