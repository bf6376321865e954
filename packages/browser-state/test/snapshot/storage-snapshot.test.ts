import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  launchTestChromium,
  logInToSite,
  type SiteStatus,
  startTestSites,
  type TestChromium,
  type TestSites,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaptureResult,
  captureState,
  connectCdp,
  launchSeeded,
  type SeededBrowser,
} from "../../src/index.js";
import { openTestTab } from "../cdp/page-driver.js";

let sites: TestSites;
let dir: string;
let captured: CaptureResult;
const snapshotDir = () => path.join(dir, "snapshot");

/** A browser that signed in to the PWA, the OPFS vault and the CryptoKey signer, captured with a storage snapshot. */
beforeAll(async () => {
  sites = await startTestSites();
  dir = await mkdtemp(path.join(tmpdir(), "webrun-snapshot-"));
  const browser: TestChromium = await launchTestChromium(path.join(dir, "profile"), sites.chromiumArgs);
  try {
    for (const site of ["pwa", "vault", "signer"] as const)
      await logInToSite(browser.endpoint, sites.origins, site);
    captured = await captureState(browser.endpoint, { storageSnapshotDir: snapshotDir() });
  } finally {
    await browser.close();
  }
}, 120_000);

afterAll(async () => {
  await sites?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The PWA's account page in `seeded`'s first tab, with the network off: only its service worker can answer. */
async function pwaOffline(seeded: SeededBrowser): Promise<SiteStatus | string> {
  const connection = await connectCdp(seeded.cdpUrl);
  try {
    const tab = await openTestTab(connection, seeded.pageTargetId);
    await connection.send("Network.enable", {}, tab.sessionId);
    await connection.send(
      "Network.emulateNetworkConditions",
      { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
      tab.sessionId,
    );
    try {
      await tab.goto(`${sites.origins.pwa}/account`);
    } catch (error) {
      return (error as Error).message;
    }
    const status = await tab.eval<string | undefined>("document.body?.dataset.status");
    return status === undefined ? "no status on the page" : (JSON.parse(status) as SiteStatus);
  } finally {
    await connection.close();
  }
}

describe("storage snapshot: what JavaScript cannot serialise", () => {
  it("records the capturing Chromium's major and the folders it copied", () => {
    expect(captured.snapshot?.chromiumMajor).toBe(
      Number(/\/(\d+)\./.exec(captured.state.source?.product ?? "")?.[1]),
    );
    expect(captured.snapshot?.folders.map((folder) => folder.label)).toEqual([
      "service worker registrations and Cache Storage",
      "origin private file system (OPFS)",
      `IndexedDB of ${sites.origins.signer}`,
    ]);
    // The signer's CryptoKey is carried by the snapshot, so the capture drops nothing.
    expect(captured.report).toMatchObject({ complete: true, warnings: [] });
  });

  it("a PWA's service worker serves its cached signed-in page offline in the seeded browser", async () => {
    const seeded = await launchSeeded(captured.state, {
      args: sites.chromiumArgs,
      storageSnapshotDir: snapshotDir(),
    });
    try {
      sites.reset();
      expect(await pwaOffline(seeded)).toEqual({ loggedIn: true, user: "alice@pwa" });
      expect(sites.hits({ host: "pwa.test" })).toBe(0);
      expect(seeded.report).toMatchObject({ complete: true, warnings: [] });
    } finally {
      await seeded.close();
    }
  }, 60_000);
});
