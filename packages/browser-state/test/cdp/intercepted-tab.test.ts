import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InterceptedTab } from "../../src/cdp/intercepted-tab.js";
import { type CdpConnection, connectCdp, type LaunchedBrowser, launchChromium } from "../../src/index.js";

let dir: string;
let browser: LaunchedBrowser;
let connection: CdpConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "webrun-tab-"));
  browser = await launchChromium({ userDataDir: dir });
  connection = await connectCdp(browser.cdpUrl);
});

afterAll(async () => {
  await connection?.close();
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("InterceptedTab", () => {
  it("visits plain-http origins on http although Chromium would upgrade them to https", async () => {
    const tab = await InterceptedTab.open(connection);
    try {
      for (const origin of ["http://example.com", "http://plain.example", "https://secure.example:8443"]) {
        const sessionId = await tab.visit({ origin });
        expect(await tab.evaluate(sessionId, "location.origin")).toBe(origin);
      }
    } finally {
      await tab.close();
    }
  }, 30_000);

  it("reaches partitioned storage through the cross-site iframe's own session", async () => {
    const tab = await InterceptedTab.open(connection);
    try {
      const sessionId = await tab.visit({ origin: "https://b.example", topLevelSite: "https://a.example" });
      expect(sessionId).not.toBe(tab.sessionId);
      expect(await tab.evaluate(sessionId, "[location.origin, window.top === window]")).toEqual([
        "https://b.example",
        false,
      ]);
    } finally {
      await tab.close();
    }
  }, 30_000);
});
