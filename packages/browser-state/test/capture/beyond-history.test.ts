import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CdpConnection,
  captureState,
  connectCdp,
  type LaunchedBrowser,
  launchChromium,
} from "../../src/index.js";
import { type LocalSites, startLocalSites } from "../cdp/local-sites.js";
import { openTestTab, type TestTab } from "../cdp/page-driver.js";

const siteCount = 200;

let sites: LocalSites;
let dir: string;
let browser: LaunchedBrowser;
let connection: CdpConnection;
let tab: TestTab;

beforeAll(async () => {
  sites = await startLocalSites();
  dir = await mkdtemp(path.join(tmpdir(), "webrun-history-"));
  browser = await launchChromium({ userDataDir: path.join(dir, "profile"), args: sites.chromiumArgs });
  connection = await connectCdp(browser.cdpUrl);
  // One tab visits 200 sites, each keeping something in localStorage: the
  // tab's history holds only the last 50 of them.
  tab = await openTestTab(connection);
  for (let i = 0; i < siteCount; i++) {
    await tab.goto(`${sites.origin(`s${i}.test`)}/`);
    await tab.eval(`localStorage.setItem("visit", "${i}")`);
  }
}, 240_000);

afterAll(async () => {
  await connection?.close();
  await browser?.close();
  await sites?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("capture beyond a tab's history", () => {
  it("finds the user-data-dir itself and brings back all 200 origins, not just the last 50", async () => {
    const { entries } = await connection.send("Page.getNavigationHistory", {}, tab.sessionId);
    expect(entries.length).toBeLessThanOrEqual(50);
    // Chromium writes localStorage to disk a few seconds after the page did.
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const before = sites.requests.length;
    const { state, report } = await captureState(browser.cdpUrl);
    expect(sites.requests.length).toBe(before);
    const visits = new Map(
      state.origins.map((origin) => [
        origin.origin,
        origin.localStorage.find((i) => i.name === "visit")?.value,
      ]),
    );
    for (let i = 0; i < siteCount; i++) expect(visits.get(sites.origin(`s${i}.test`))).toBe(String(i));
    expect(report).toMatchObject({
      complete: true,
      warnings: [],
      origins: { kept: siteCount, of: siteCount },
    });
  }, 120_000);

  it("says what it searched, and is not complete, when the user-data-dir cannot be read", async () => {
    const elsewhere = await mkdtemp(path.join(tmpdir(), "webrun-elsewhere-"));
    const other = await launchChromium({
      userDataDir: path.join(elsewhere, "profile"),
      args: sites.chromiumArgs,
    });
    try {
      // As if the browser ran on another machine: its folder is not where it says
      // (a file takes its place, so the browser cannot create it again).
      await rename(elsewhere, `${elsewhere}-moved`);
      await occupyWithFile(elsewhere);
      const { report } = await captureState(other.cdpUrl);
      expect(report.complete).toBe(false);
      expect(report.warnings).toHaveLength(1);
      expect(report.warnings[0]).toContain("Browser.getBrowserCommandLine");
      expect(report.warnings[0]).toContain("chrome://version: ");
    } finally {
      await other.close();
      await rm(`${elsewhere}-moved`, { recursive: true, force: true });
      await rm(elsewhere, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * Puts an empty file where a folder was. The running browser may write
 * there again meanwhile (it recreates the folder for its next file), so the
 * folder is removed until the file wins; from then on it cannot come back.
 */
async function occupyWithFile(where: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await writeFile(where, "", { flag: "wx" });
      return;
    } catch (error) {
      if (attempt >= 50) throw error;
      await rm(where, { recursive: true, force: true }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
