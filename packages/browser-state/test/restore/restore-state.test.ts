import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserState, type Cookie, encodeTypedJson, parseBrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCdp, type LaunchedBrowser, launchChromium, restoreState } from "../../src/index.js";
import { type LocalSites, startLocalSites } from "../cdp/local-sites.js";
import { openTestTab } from "../cdp/page-driver.js";
import { cookiePairs, expectedIndexedDb, readIndexedDb } from "../cdp/page-scripts.js";

let sites: LocalSites;
let dir: string;
let browser: LaunchedBrowser;

/** The IndexedDB database page-scripts' `readIndexedDb` expects, as a captured state holds it. */
function appDatabase() {
  return {
    name: "app",
    version: 3,
    objectStores: [
      {
        name: "records",
        keyPath: "id",
        autoIncrement: false,
        indexes: [
          { name: "byTags", keyPath: "tags", unique: false, multiEntry: true },
          { name: "byWhen", keyPath: "when", unique: false, multiEntry: false },
        ],
        records: [
          {
            key: 1,
            value: encodeTypedJson({
              id: 1,
              when: new Date(86_400_000),
              bytes: new Uint8Array([0, 1, 255]),
              map: new Map([["k", 1n]]),
              set: new Set(["x"]),
              tags: ["a", "b"],
              odd: { $type: "not-a-tag" },
              nan: Number.NaN,
            }),
          },
        ],
      },
      {
        name: "kv",
        keyPath: null,
        autoIncrement: false,
        indexes: [],
        records: [
          { key: encodeTypedJson(["compound", 2]), value: "token-in-idb" },
          { key: encodeTypedJson(new Date(5)), value: encodeTypedJson(new ArrayBuffer(4)) },
        ],
      },
      {
        name: "auto",
        keyPath: null,
        autoIncrement: true,
        indexes: [],
        records: [{ key: 1, value: { v: "first" } }],
      },
    ],
  };
}

function stateFor(sites: LocalSites): BrowserState {
  const a = sites.origin("a.test");
  const cookie = (fields: Partial<Cookie> & Pick<Cookie, "name" | "value" | "domain">): Cookie => ({
    path: "/",
    expires: Math.floor(Date.now() / 1000) + 3_600,
    httpOnly: false,
    secure: true,
    session: false,
    ...fields,
  });
  return parseBrowserState({
    version: 1,
    cookies: [
      cookie({
        name: "sid",
        value: "session-1",
        domain: "a.test",
        session: true,
        expires: -1,
        httpOnly: true,
      }),
      cookie({ name: "pref", value: "root", domain: "a.test" }),
      cookie({ name: "pref", value: "app", domain: "a.test", path: "/app" }),
      cookie({ name: "pref", value: "domain", domain: ".a.test" }),
      cookie({
        name: "chip",
        value: "partitioned-1",
        domain: "b.test",
        sameSite: "None",
        partitionKey: { topLevelSite: "https://a.test", hasCrossSiteAncestor: true },
      }),
    ],
    origins: [
      {
        origin: a,
        localStorage: [
          { name: "ключ-🙂", value: "значение-🙂" },
          { name: "", value: "empty-key" },
        ],
        sessionStorage: [{ name: "ss", value: "tab-one" }],
        indexedDB: [appDatabase()],
      },
      {
        origin: sites.origin("b.test"),
        topLevelSite: "https://a.test",
        localStorage: [{ name: "partitioned", value: "inside-a" }],
      },
      ...Array.from({ length: 20 }, (_, i) => ({
        origin: sites.origin(`many${i}.test`),
        localStorage: [{ name: "n", value: String(i) }],
      })),
    ],
  });
}

beforeAll(async () => {
  sites = await startLocalSites();
  dir = await mkdtemp(path.join(tmpdir(), "webrun-restore-"));
  browser = await launchChromium({ userDataDir: path.join(dir, "profile"), args: sites.chromiumArgs });
});

afterAll(async () => {
  await browser?.close();
  await sites?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("restoreState into a running browser", () => {
  it("restores cookies and every origin's storage through one intercepted tab, no request sent", async () => {
    const state = stateFor(sites);
    const started = performance.now();
    const result = await restoreState(browser.cdpUrl, state);
    console.log(
      `restore of ${result.origins} origins through one tab: ${(performance.now() - started).toFixed(0)} ms`,
    );
    expect(sites.requests).toEqual([]);
    expect(result).toMatchObject({ cookies: 5, origins: 22 });

    const connection = await connectCdp(browser.cdpUrl);
    try {
      const { cookies } = await connection.send("Storage.getCookies");
      expect(cookies.find((c: Cookie) => c.name === "sid")).toMatchObject({ session: true });

      const a = sites.origin("a.test");
      const tab = await openTestTab(connection, result.pageTargetId);
      await tab.goto(`${a}/app/x`);
      expect(cookiePairs(sites.requests.at(-1)?.cookie ?? "")).toEqual([
        "pref=app",
        "pref=domain",
        "pref=root",
        "sid=session-1",
      ]);
      expect(
        await tab.eval(
          `[localStorage.getItem("ключ-🙂"), localStorage.getItem(""), sessionStorage.getItem("ss")]`,
        ),
      ).toEqual(["значение-🙂", "empty-key", "tab-one"]);
      expect(await tab.eval(readIndexedDb)).toEqual(expectedIndexedDb);

      const b = sites.origin("b.test");
      await tab.goto(`${a}/embed?frame=${b}`);
      expect(sites.requests.findLast((r) => r.host === "b.test")?.cookie).toBe("chip=partitioned-1");
      expect(await tab.eval(`localStorage.getItem("partitioned")`, await tab.frame(b))).toBe("inside-a");

      // First-party b.test storage stays separate from the partition.
      await tab.goto(`${b}/`);
      expect(await tab.eval(`localStorage.getItem("partitioned")`)).toBeNull();
      await tab.goto(`${sites.origin("many19.test")}/`);
      expect(await tab.eval(`localStorage.getItem("n")`)).toBe("19");
    } finally {
      await connection.close();
    }
  }, 60_000);
});
