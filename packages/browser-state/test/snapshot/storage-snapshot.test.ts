import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  launchTestChromium,
  logInToSite,
  type SiteStatus,
  siteStatus,
  startTestSites,
  type TestChromium,
  type TestSites,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CaptureResult,
  captureState,
  connectCdp,
  type LaunchSeededOptions,
  launchSeeded,
  type SeededBrowser,
  snapshotManifestName,
  storageSnapshotFolder,
} from "../../src/index.js";
import { openTestTab } from "../cdp/page-driver.js";

let sites: TestSites;
let dir: string;
let captured: CaptureResult;
let requestsDuringCapture: readonly unknown[];
/** Where the capture writes its snapshot: inside a profile template, as an environment archive's `profile/` holds it. */
const templateDir = () => path.join(dir, "template");
const snapshotDir = () => path.join(templateDir(), storageSnapshotFolder);

/** A browser that signed in to the PWA, the OPFS vault and the CryptoKey signer, captured with a storage snapshot. */
beforeAll(async () => {
  sites = await startTestSites();
  dir = await mkdtemp(path.join(tmpdir(), "webrun-snapshot-"));
  const browser: TestChromium = await launchTestChromium(path.join(dir, "profile"), sites.chromiumArgs);
  try {
    for (const site of ["pwa", "vault", "signer"] as const)
      await logInToSite(browser.endpoint, sites.origins, site);
    sites.reset();
    captured = await captureState(browser.endpoint, { storageSnapshotDir: snapshotDir() });
    requestsDuringCapture = sites.requests();
  } finally {
    await browser.close();
  }
}, 120_000);

afterAll(async () => {
  await sites?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs `check` on a browser seeded with the captured state and `options`, then closes it. */
async function inSeededBrowser(
  options: LaunchSeededOptions,
  check: (seeded: SeededBrowser) => Promise<void>,
): Promise<void> {
  const seeded = await launchSeeded(captured.state, { args: sites.chromiumArgs, ...options });
  try {
    await check(seeded);
  } finally {
    await seeded.close();
  }
}

/** What `site`'s account page says in the seeded browser's first tab. */
const statusIn = (seeded: SeededBrowser, site: "vault" | "signer") =>
  siteStatus(seeded.cdpUrl, sites.origins, site, seeded.pageTargetId);

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
  it("reads the PWA's origin past its service worker: its app shell never runs, no request is sent", () => {
    expect(requestsDuringCapture).toEqual([]);
  });

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
    // The snapshot in a profile template's webrun-snapshot/ folder is seeded by itself.
    await inSeededBrowser({ profileTemplateDir: templateDir() }, async (seeded) => {
      sites.reset();
      expect(await pwaOffline(seeded)).toEqual({ loggedIn: true, user: "alice@pwa" });
      // The page came from the worker's cache (its beacon may go out through the worker: it is not the page).
      expect(sites.hits({ host: "pwa.test", path: "/account" })).toBe(0);
      expect(seeded.report).toMatchObject({ complete: true, warnings: [] });
      expect(existsSync(path.join(seeded.userDataDir, storageSnapshotFolder))).toBe(false);
    });
  }, 60_000);

  it("an app whose token lives in OPFS, and one that signs a challenge with a non-extractable CryptoKey, are signed in", async () => {
    await inSeededBrowser({ storageSnapshotDir: snapshotDir() }, async (seeded) => {
      expect(await statusIn(seeded, "vault")).toEqual({
        loggedIn: true,
        user: "alice@vault",
      });
      expect(await statusIn(seeded, "signer")).toEqual({
        loggedIn: true,
        user: "alice@signer",
        detail: "signed the challenge with a non-extractable key",
      });
    });
  }, 60_000);

  it("a snapshot from another Chromium major is not seeded: the portable document is, and the report names what was skipped", async () => {
    const other = path.join(dir, "snapshot-other-major");
    await cp(snapshotDir(), other, { recursive: true });
    const manifestPath = path.join(other, snapshotManifestName);
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as { chromiumMajor: number };
    const thisMajor = manifest.chromiumMajor;
    manifest.chromiumMajor = thisMajor - 26;
    await writeFile(manifestPath, JSON.stringify(manifest));
    await inSeededBrowser({ storageSnapshotDir: other }, async (seeded) => {
      expect(seeded.report.complete).toBe(false);
      expect(seeded.report.warnings).toEqual([
        `storage snapshot not seeded: made by Chromium ${thisMajor - 26}, this is ${thisMajor} (profile formats differ between versions); ` +
          `seeded from the portable document instead, without: service worker registrations and Cache Storage, origin private file system (OPFS), IndexedDB of ${sites.origins.signer}`,
      ]);
      // The signer's key was a placeholder in the document: counted as dropped.
      expect(seeded.report.origins.dropped).toEqual([
        expect.objectContaining({ count: 1, examples: [sites.origins.signer] }),
      ]);
      // The portable part is there: the PWA's session cookie reaches the server.
      expect(seeded.report.cookies).toMatchObject({ kept: captured.state.cookies.length, dropped: [] });
      expect(await statusIn(seeded, "vault")).toMatchObject({
        loggedIn: false,
        detail: "no token file in OPFS",
      });
      expect(await statusIn(seeded, "signer")).toMatchObject({
        loggedIn: false,
      });
    });
  }, 60_000);

  it("a corrupt folder is refused, named, and the rest of the snapshot seeded", async () => {
    const corrupt = path.join(dir, "snapshot-corrupt");
    await cp(snapshotDir(), corrupt, { recursive: true });
    const signerFolder = captured.snapshot?.folders.find((folder) => folder.label.startsWith("IndexedDB of"));
    const log = signerFolder?.files.find((file) => file.path.endsWith(".log"));
    if (signerFolder === undefined || log === undefined) throw new Error("no IndexedDB log in the snapshot");
    const logPath = path.join(corrupt, ...signerFolder.folder.split("/"), log.path);
    const bytes = await readFile(logPath);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    await writeFile(logPath, bytes);
    await inSeededBrowser({ storageSnapshotDir: corrupt }, async (seeded) => {
      expect(seeded.report.warnings).toEqual([
        `storage snapshot: IndexedDB of ${sites.origins.signer} (${signerFolder.folder}) refused: ${log.path} does not match its recorded size and SHA-256`,
      ]);
      expect(await statusIn(seeded, "vault")).toEqual({
        loggedIn: true,
        user: "alice@vault",
      });
      expect(await statusIn(seeded, "signer")).toMatchObject({
        loggedIn: false,
      });
    });
  }, 60_000);

  it("a caller's reason to skip the snapshot (a domain filter) keeps it out, and the report says why", async () => {
    await inSeededBrowser(
      { profileTemplateDir: templateDir(), skipStorageSnapshot: "a domain filter is on" },
      async (seeded) => {
        expect(seeded.report.warnings).toEqual(["storage snapshot not seeded: a domain filter is on"]);
        expect(await statusIn(seeded, "vault")).toMatchObject({
          loggedIn: false,
        });
      },
    );
  }, 60_000);
});
