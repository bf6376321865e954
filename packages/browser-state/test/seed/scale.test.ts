import { type BrowserState, emptyBrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCdp, launchSeeded, teardownCapture } from "../../src/index.js";
import { type LocalSites, startLocalSites } from "../cdp/local-sites.js";
import { openTestTab } from "../cdp/page-driver.js";

let sites: LocalSites;

beforeAll(async () => {
  sites = await startLocalSites();
});

afterAll(async () => {
  await sites?.close();
});

function largeState(): BrowserState {
  const state = emptyBrowserState();
  const expires = Math.floor(Date.now() / 1000) + 86_400;
  for (let i = 0; i < 10_000; i++) {
    state.cookies.push({
      name: `c${i % 50}`,
      value: `v${i}`,
      domain: `host${Math.floor(i / 50)}.test`,
      path: "/",
      expires,
      httpOnly: false,
      secure: true,
      session: i % 2 === 0,
    });
  }
  for (let o = 0; o < 1_000; o++) {
    state.origins.push({
      origin: sites.origin(`origin${o}.test`),
      localStorage: Array.from({ length: 5 }, (_, k) => ({ name: `k${k}`, value: `${o}:${k}` })),
      sessionStorage: [],
      indexedDB: [],
    });
  }
  return state;
}

describe("large states", () => {
  it("seeds and captures 10,000 cookies and 1,000 origins, without navigating per origin", async () => {
    const state = largeState();
    let started = performance.now();
    const browser = await launchSeeded(state, { args: sites.chromiumArgs });
    const seedMs = performance.now() - started;
    const connection = await connectCdp(browser.cdpUrl);
    const { cookies } = await connection.send("Storage.getCookies");
    // Chromium keeps at most 3,300 cookies (then purges to 3,000): all 10,000 are set, the jar keeps its cap.
    expect(cookies.length).toBeGreaterThanOrEqual(3_000);
    expect(cookies.length).toBeLessThanOrEqual(3_300);
    const tab = await openTestTab(connection);
    await tab.goto(`${sites.origin("origin999.test")}/`);
    expect(await tab.eval(`localStorage.getItem("k4")`)).toBe("999:4");
    await tab.close();
    await connection.close();

    started = performance.now();
    const { state: captured } = await teardownCapture(browser);
    const captureMs = performance.now() - started;
    console.log(
      `10,000 cookies + 1,000 origins: seeded in ${seedMs.toFixed(0)} ms, teardown capture ${captureMs.toFixed(0)} ms`,
    );
    expect(captured.cookies).toHaveLength(cookies.length);
    expect(captured.cookies.filter((cookie) => cookie.session).length).toBeGreaterThan(1_000);
    expect(captured.origins).toHaveLength(1_000);
    expect(
      captured.origins.find((o) => o.origin === sites.origin("origin500.test"))?.localStorage,
    ).toHaveLength(5);
  }, 120_000);
});
