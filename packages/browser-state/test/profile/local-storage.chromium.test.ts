import type { OriginState } from "@webrun/state";
import { ClassicLevel } from "classic-level";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  encodeStorageString,
  listLocalStorageOrigins,
  localStorageDir,
  readLocalStorage,
  readLocalStorageDir,
  writeLocalStorage,
} from "../../src/profile/index.js";
import {
  chromiumTestTimeoutMs,
  freshProfileDir,
  killAllTestChromiums,
  launchTestChromium,
  openPage,
  pageLocalStorage,
  removeDir,
  sortEntries,
  startTestSite,
  type TestSite,
} from "./chromium-harness.js";

const megabyteValue = "0123456789abcdef".repeat(64 * 1024); // 1 MiB of Latin-1
const tricky: [string, string][] = [
  ["ascii", "plain value"],
  ["", "value of the empty key"],
  ["empty value", ""],
  ["é latin-1 key", "ü latin-1 value ÿ"],
  ["日本語", "UTF-16 value 語"],
  ["emoji 😀", "😀"],
  ["\ud800 lone high surrogate", "lone low \udc00"],
  ["big", megabyteValue],
];

let site: TestSite;
const dirs: string[] = [];

beforeAll(async () => {
  site = await startTestSite();
});
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});
afterAll(async () => {
  killAllTestChromiums();
  await site.close();
});

function origin(host: string, items: readonly [string, string][], topLevelHost?: string): OriginState {
  return {
    origin: new URL(site.url(host)).origin,
    // A site has no port: Chromium keys partitions by scheme and registrable domain.
    ...(topLevelHost ? { topLevelSite: `http://${topLevelHost}` } : {}),
    localStorage: items.map(([name, value]) => ({ name, value })),
    sessionStorage: [],
    indexedDB: [],
  };
}

async function profile(): Promise<string> {
  const dir = await freshProfileDir();
  dirs.push(dir);
  return dir;
}

describe("localStorage written offline is what Chromium 156 shows pages", {
  timeout: chromiumTestTimeoutMs,
}, () => {
  it("keeps UTF-16 and empty keys, lone surrogates, a 1 MiB value and partitioned storage", async () => {
    const dir = await profile();
    const partitioned: [string, string][] = [["third-party", "seen only under a.test"]];
    await writeLocalStorage(dir, [
      origin("a.test", tricky),
      origin("b.test", [["first-party", "b's own"]]),
      origin("b.test", partitioned, "a.test"),
    ]);

    const browser = await launchTestChromium(dir);
    try {
      const page = await openPage(browser);
      await page.navigate(site.url("a.test"));
      expect(sortEntries(await pageLocalStorage(page))).toEqual(sortEntries(tricky));
      expect(await page.frameStorage(site.url("b.test", "/frame"))).toEqual(partitioned);
      await page.navigate(site.url("b.test"));
      expect(await pageLocalStorage(page)).toEqual([["first-party", "b's own"]]);
      await page.close();
    } finally {
      await browser.close();
    }
  });

  it("writes 1000 origins in bounded batches, all visible to Chromium", async () => {
    const dir = await profile();
    const origins = Array.from({ length: 1000 }, (_, i) =>
      origin(`o${i}.test`, [
        ["index", String(i)],
        ["wide", `値${i}`],
      ]),
    );
    const started = performance.now();
    await writeLocalStorage(dir, origins, { batchBytes: 16 * 1024 });
    console.log(`wrote 1000 origins × 2 items in ${(performance.now() - started).toFixed(0)} ms`);

    expect((await listLocalStorageOrigins(localStorageDir(dir))).length).toBe(1000);
    const readBack = await readLocalStorage(dir);
    expect(readBack).toHaveLength(1000);
    expect(readBack.find((o) => o.origin === origins[999]?.origin)?.localStorage).toEqual(
      origins[999]?.localStorage,
    );

    const browser = await launchTestChromium(dir);
    try {
      const page = await openPage(browser);
      for (const i of [0, 1, 499, 998, 999]) {
        await page.navigate(site.url(`o${i}.test`));
        expect(sortEntries(await pageLocalStorage(page))).toEqual(
          sortEntries([
            ["index", String(i)],
            ["wide", `値${i}`],
          ]),
        );
      }
      await page.close();
    } finally {
      await browser.close();
    }
  });

  it("replaces a storage key's previous rows on rewrite and keeps other keys", async () => {
    const dir = await profile();
    await writeLocalStorage(dir, [
      origin("a.test", [
        ["old", "1"],
        ["kept?", "no"],
      ]),
      origin("c.test", [["c", "stays"]]),
    ]);
    await writeLocalStorage(dir, [origin("a.test", [["new", "2"]])]);
    const read = await readLocalStorage(dir);
    expect(read.map((o) => [o.origin, o.localStorage])).toEqual([
      [new URL(site.url("a.test")).origin, [{ name: "new", value: "2" }]],
      [new URL(site.url("c.test")).origin, [{ name: "c", value: "stays" }]],
    ]);
  });
});

describe("localStorage Chromium 156 wrote is read back exactly", { timeout: chromiumTestTimeoutMs }, () => {
  it("reads every origin, the partitioned key, and matches Chromium's bytes and META sizes", async () => {
    const dir = await profile();
    const partitioned: [string, string][] = [
      ["pk", "in b under a"],
      ["ключ", "\udbff"],
    ];
    const browser = await launchTestChromium(dir);
    try {
      const page = await openPage(browser);
      await page.navigate(site.url("a.test"));
      await page.evaluate(`(${JSON.stringify(tricky)}).forEach(([k, v]) => localStorage.setItem(k, v))`);
      expect(await page.frameStorage(site.url("b.test", "/frame"), partitioned)).toEqual(partitioned);
      await page.navigate(site.url("b.test"));
      await page.evaluate(`localStorage.setItem("first", "party")`);
      await page.close();
    } finally {
      await browser.close();
    }

    const a = new URL(site.url("a.test")).origin;
    const b = new URL(site.url("b.test")).origin;
    const aSite = "http://a.test";
    const read = await readLocalStorage(dir);
    const entriesOf = (o: OriginState | undefined) =>
      sortEntries((o?.localStorage ?? []).map((i) => [i.name, i.value]));
    expect(entriesOf(read.find((o) => o.origin === a))).toEqual(sortEntries(tricky));
    expect(entriesOf(read.find((o) => o.origin === b && o.topLevelSite === undefined))).toEqual([
      ["first", "party"],
    ]);
    expect(entriesOf(read.find((o) => o.origin === b && o.topLevelSite === aSite))).toEqual(
      sortEntries(partitioned),
    );
    expect(await listLocalStorageOrigins(localStorageDir(dir))).toEqual([
      { origin: a },
      { origin: b },
      { origin: b, topLevelSite: aSite },
    ]);

    // Byte for byte: every row Chromium wrote is what our encoder produces, and META's size field agrees.
    const db = new ClassicLevel<Buffer, Buffer>(localStorageDir(dir), {
      keyEncoding: "buffer",
      valueEncoding: "buffer",
    });
    try {
      for (const [name, value] of tricky) {
        const key = Buffer.concat([Buffer.from(`_${a}\x00`), encodeStorageString(name)]);
        expect((await db.get(key))?.equals(encodeStorageString(value))).toBe(true);
      }
      const meta = await db.get(Buffer.from(`META:${a}`));
      const expectedSize = tricky.reduce(
        (sum, [name, value]) => sum + encodeStorageString(name).length + encodeStorageString(value).length,
        0,
      );
      expect(meta && readVarintField(meta, 2)).toBe(expectedSize);
    } finally {
      await db.close();
    }
    // The same folder read as a bare leveldb dir (an uploaded profile).
    expect(await readLocalStorageDir(localStorageDir(dir))).toEqual(read);
  });
});

/** Reads varint field `field` of a flat protobuf message. */
function readVarintField(message: Buffer, field: number): number | undefined {
  let offset = 0;
  while (offset < message.length) {
    const tag = message[offset++] ?? 0;
    let value = 0n;
    let shift = 0n;
    for (;;) {
      const byte = message[offset++] ?? 0;
      value |= BigInt(byte & 0x7f) << shift;
      shift += 7n;
      if ((byte & 0x80) === 0) break;
    }
    if (tag >> 3 === field) return Number(value);
  }
  return undefined;
}
