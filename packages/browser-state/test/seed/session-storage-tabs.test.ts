import { emptyBrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CdpConnection,
  captureState,
  connectCdp,
  launchSeeded,
  type SeededBrowser,
} from "../../src/index.js";
import { type LocalSites, startLocalSites } from "../cdp/local-sites.js";
import { openTestTab, type TestTab } from "../cdp/page-driver.js";

let sites: LocalSites;
let seeded: SeededBrowser;
let connection: CdpConnection;

beforeAll(async () => {
  sites = await startLocalSites();
  const state = emptyBrowserState();
  state.origins.push({
    origin: sites.origin("login.test"),
    localStorage: [],
    sessionStorage: [{ name: "msal.idtoken", value: "token-1" }],
    indexedDB: [],
  });
  seeded = await launchSeeded(state, { args: sites.chromiumArgs });
  connection = await connectCdp(seeded.cdpUrl);
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await seeded?.close();
  await sites?.close();
});

/** The page's own verdict, once its document has loaded (a tab may reload once to take the seed). */
async function titleOf(tab: TestTab, expected: string): Promise<string> {
  let title = "";
  for (let attempt = 0; attempt < 50 && title !== expected; attempt++) {
    title = await tab
      .eval<string>(`document.readyState === "complete" ? document.title : ""`)
      .catch(() => "");
    if (title !== expected) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return title;
}

/** The tab whose URL is `url`, once it has loaded. */
async function tabAt(url: string): Promise<TestTab> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { targetInfos } = await connection.send("Target.getTargets");
    const target = targetInfos.find((info) => info.type === "page" && info.url === url);
    if (target) {
      const tab = await openTestTab(connection, target.targetId);
      if ((await tab.eval<string>("document.readyState")) === "complete") return tab;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `no loaded tab at ${url}: ${JSON.stringify((await connection.send("Target.getTargets")).targetInfos.map((t) => [t.type, t.url]))}`,
  );
}

describe("sessionStorage in every tab of a seeded browser", () => {
  it("a new tab (Target.createTarget) is signed in by its first script", async () => {
    const url = `${sites.origin("login.test")}/msal`;
    await connection.send("Target.createTarget", { url });
    const tab = await tabAt(url);
    expect(await titleOf(tab, "signed-in")).toBe("signed-in");
    // Signing out in that tab stays signed out: the tab had its turn.
    await tab.eval("sessionStorage.clear()");
    await tab.goto(url);
    expect(await tab.eval("document.title")).toBe("signed-out");
    await tab.close();
  }, 60_000);

  it("a tab opened by window.open from the first one is signed in", async () => {
    const origin = sites.origin("login.test");
    const first = await openTestTab(connection, seeded.pageTargetId);
    await first.goto(`${origin}/msal`);
    expect(await first.eval("document.title")).toBe("signed-in");
    // As a click would: without a user gesture the popup is blocked.
    await connection.send(
      "Runtime.evaluate",
      { expression: `window.open("/msal?opened", "_blank")`, userGesture: true },
      first.sessionId,
    );
    expect(await (await tabAt(`${origin}/msal?opened`)).eval("document.title")).toBe("signed-in");
  }, 60_000);

  it("capture takes sessionStorage from every tab, the most recently active one winning", async () => {
    const origin = sites.origin("two-tabs.test");
    const older = await openTestTab(connection);
    await older.goto(`${origin}/older`);
    await older.eval(`sessionStorage.setItem("which", "older"), sessionStorage.setItem("only-older", "1")`);
    const newer = await openTestTab(connection);
    await newer.goto(`${origin}/newer`);
    await newer.eval(`sessionStorage.setItem("which", "newer")`);
    // The first tab is used again: now it is the most recently active one.
    await older.goto(`${origin}/again`);
    await older.eval(`sessionStorage.setItem("which", "used-last")`);
    const { state } = await captureState(seeded.cdpUrl);
    const captured = state.origins.find((o) => o.origin === origin);
    expect(Object.fromEntries(captured?.sessionStorage.map((item) => [item.name, item.value]) ?? [])).toEqual(
      {
        which: "used-last",
        "only-older": "1",
      },
    );
  }, 60_000);
});
