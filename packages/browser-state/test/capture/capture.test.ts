import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isWebrunError } from "@webrun/errors";
import type { BrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CdpConnection,
  captureState,
  connectCdp,
  type LaunchedBrowser,
  launchChromium,
  launchSeeded,
} from "../../src/index.js";
import { type LocalSites, startLocalSites } from "../cdp/local-sites.js";
import { openTestTab } from "../cdp/page-driver.js";
import {
  cookiePairs,
  expectedIndexedDb,
  readIndexedDb,
  readLocalAndSession,
  writeIndexedDb,
  writeLocalAndSession,
} from "../cdp/page-scripts.js";

let sites: LocalSites;
let dir: string;
let source: LaunchedBrowser;
let connection: CdpConnection;
let state: BrowserState;

beforeAll(async () => {
  sites = await startLocalSites();
  dir = await mkdtemp(path.join(tmpdir(), "webrun-capture-"));
  source = await launchChromium({ userDataDir: path.join(dir, "profile"), args: sites.chromiumArgs });
  connection = await connectCdp(source.cdpUrl);
  const a = sites.origin("a.test");
  const b = sites.origin("b.test");
  // Tab 1: logged in on a.test, with storage of every kind, then a partitioned b.test iframe.
  const tab = await openTestTab(connection);
  await tab.goto(`${a}/login`);
  await tab.eval(writeLocalAndSession);
  await tab.eval(writeIndexedDb);
  await tab.goto(`${a}/embed?frame=${b}`);
  await tab.eval(`localStorage.setItem("partitioned", "inside-a")`, await tab.frame(b));
  // Tab 2: c.test wrote storage, then the tab moved on; only history remembers c.test.
  const other = await openTestTab(connection);
  await other.goto(`${sites.origin("c.test")}/`);
  await other.eval(`localStorage.setItem("c", "from-history")`);
  await other.goto(`${a}/elsewhere`);
  // Tab 3: d.test wrote storage and was closed; only the profile on disk has it.
  const closed = await openTestTab(connection);
  await closed.goto(`${sites.origin("d.test")}/`);
  await closed.eval(`localStorage.setItem("d", "from-a-closed-tab")`);
  await closed.close();
}, 30_000);

afterAll(async () => {
  await connection?.close();
  await source?.close();
  await sites?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("captureState", () => {
  it("captures every cookie, origin and partition without one request reaching a server", async () => {
    const before = sites.requests.length;
    ({ state } = await captureState(source.cdpUrl, { profileDir: path.join(dir, "profile") }));
    expect(sites.requests.length).toBe(before);

    const byName = (name: string) => state.cookies.filter((cookie) => cookie.name === name);
    expect(byName("sid")).toMatchObject([
      { session: true, expires: -1, httpOnly: true, secure: true, sameSite: "Lax" },
    ]);
    expect(byName("remember")[0]?.session).toBe(false);
    expect(byName("__Host-token")).toMatchObject([{ domain: "a.test", sameSite: "Strict" }]);
    expect(
      byName("pref")
        .map((c) => `${c.domain}${c.path}=${c.value}`)
        .sort(),
    ).toEqual([".a.test/=domain", "a.test/=root", "a.test/app=app"]);
    expect(byName("chip")).toMatchObject([
      { domain: "b.test", partitionKey: { topLevelSite: "https://a.test", hasCrossSiteAncestor: true } },
    ]);

    const a = state.origins.find((o) => o.origin === sites.origin("a.test") && !o.topLevelSite);
    expect(a?.localStorage.map((item) => item.name).sort()).toEqual(["", "bigLatin1", "bigUtf16", "ключ-🙂"]);
    expect(a?.sessionStorage).toEqual([{ name: "ss", value: "tab-one" }]);
    expect(a?.indexedDB).toMatchObject([{ name: "app", version: 3 }]);
    expect(a?.indexedDB[0]?.objectStores.map((s) => s.name).sort()).toEqual(["auto", "kv", "records"]);

    const partitioned = state.origins.find((o) => o.origin === sites.origin("b.test"));
    expect(partitioned).toMatchObject({
      topLevelSite: "https://a.test",
      localStorage: [{ name: "partitioned", value: "inside-a" }],
    });
    const fromHistory = state.origins.find((o) => o.origin === sites.origin("c.test"));
    expect(fromHistory?.localStorage).toEqual([{ name: "c", value: "from-history" }]);
    const fromDisk = state.origins.find((o) => o.origin === sites.origin("d.test"));
    expect(fromDisk?.localStorage).toEqual([{ name: "d", value: "from-a-closed-tab" }]);
  }, 30_000);

  it("seeds a fresh browser whose first page sees it all, again without a request", async () => {
    expect(state).toBeDefined();
    const before = sites.requests.length;
    const seeded = await launchSeeded(state, { args: sites.chromiumArgs });
    try {
      expect(sites.requests.length).toBe(before);
      const seededConnection = await connectCdp(seeded.cdpUrl);
      try {
        const a = sites.origin("a.test");
        const tab = await openTestTab(seededConnection, seeded.pageTargetId);
        const { entries } = await seededConnection.send("Page.getNavigationHistory", {}, tab.sessionId);
        expect(entries.map((entry: { url: string }) => entry.url)).toEqual(["about:blank"]);
        await tab.goto(`${a}/app/page`);
        expect(cookiePairs(sites.requests.at(-1)?.cookie ?? "")).toEqual([
          "__Host-token=host-1",
          "pref=app",
          "pref=domain",
          "pref=root",
          "remember=persistent-1",
          "sid=session-1",
        ]);
        expect(await tab.eval(readLocalAndSession)).toEqual({
          utf: "значение-🙂",
          empty: "empty-key",
          bigUtf16: true,
          bigLatin1: true,
          session: "tab-one",
        });
        expect(await tab.eval(readIndexedDb)).toEqual(expectedIndexedDb);

        const b = sites.origin("b.test");
        await tab.goto(`${a}/embed?frame=${b}`);
        const frameRequest = sites.requests.findLast((r) => r.host === "b.test");
        expect(frameRequest?.cookie).toBe("chip=partitioned-1");
        expect(await tab.eval(`localStorage.getItem("partitioned")`, await tab.frame(b))).toBe("inside-a");

        await tab.goto(`${sites.origin("c.test")}/`);
        expect(await tab.eval(`localStorage.getItem("c")`)).toBe("from-history");
      } finally {
        await seededConnection.close();
      }
    } finally {
      await seeded.close();
    }
  }, 30_000);
});

describe("capture failures", () => {
  it("refuses an extra origin that is not an origin, by its path, before connecting", async () => {
    const error = await captureState("http://127.0.0.1:9", {
      origins: ["https://ok.test", "https://x.test/path"],
    }).catch((e: unknown) => e);
    expect(isWebrunError(error, "CAPTURE_ORIGIN_INVALID")).toBe(true);
    expect((error as Error).message).toMatch(/^origins\.1: /);
  });

  it("rejects with no result when the browser dies mid-capture", async () => {
    const profile = await mkdtemp(path.join(tmpdir(), "webrun-dying-"));
    const dying = await launchChromium({ userDataDir: profile, args: sites.chromiumArgs });
    try {
      const origins = Array.from({ length: 60 }, (_, i) => sites.origin(`o${i}.test`));
      const capture = captureState(dying.cdpUrl, { origins });
      setTimeout(() => process.kill(dying.pid, "SIGKILL"), 300);
      const error = await capture.catch((e: unknown) => e);
      expect(String(error)).toMatch(/closed|disconnect/i);
      expect(isWebrunError(error)).toBe(true);
      expect((error as Error).message).toMatch(/closed|disconnect/i);
    } finally {
      await dying.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 30_000);
});
