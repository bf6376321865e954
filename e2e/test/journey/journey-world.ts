import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { connectCdp, type LaunchedBrowser, launchChromium } from "@webrun/browser-state";
import {
  BrowserDriver,
  checkEverySite,
  checkTestExtension,
  copyTestExtensionWithoutKey,
  describeFailedChecks,
  logInToEverySite,
  logInToTestExtension,
  type SiteStatus,
  startTestSites,
  type TestExtension,
  type TestSites,
  testExtension,
} from "@webrun/test-fixtures";

/**
 * The world of the journey: the test sites, both test extensions (keyed,
 * and a keyless copy whose id depends on its folder), and helpers to get a
 * browser logged in everywhere and to ask it whether it still is.
 */
export interface JourneyWorld {
  sites: TestSites;
  keyed: TestExtension;
  keyless: TestExtension;
  /** A fresh profile dir under the world's temp dir. */
  profileDir(): Promise<string>;
  /** A fresh Chromium (our launcher, not seeded) with the sites' args and both extensions. */
  launchFresh(): Promise<LaunchedBrowser>;
  /** Every site's and extension's failed checks in the tab `pageTargetId` (or the first tab): [] when all logged in. */
  failedChecks(
    endpoint: string,
    options?: { pageTargetId?: string; extensionIds?: readonly string[] },
  ): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startJourneyWorld(): Promise<JourneyWorld> {
  const root = await mkdtemp(path.join(tmpdir(), "webrun-journey-"));
  const sites = await startTestSites();
  const keyless = await copyTestExtensionWithoutKey(root);
  let profiles = 0;
  const profileDir = () => mkdtemp(path.join(root, `profile-${profiles++}-`));
  return {
    sites,
    keyed: testExtension,
    keyless,
    profileDir,
    launchFresh: async () =>
      launchChromium({
        userDataDir: await profileDir(),
        args: sites.chromiumArgs,
        extensionDirs: [testExtension.dir, keyless.dir],
      }),
    failedChecks: async (endpoint, { pageTargetId, extensionIds = [] } = {}) => {
      const failed = describeFailedChecks(await checkEverySite(endpoint, sites.origins, pageTargetId));
      for (const id of extensionIds) {
        const status: SiteStatus = await checkTestExtension(endpoint, id, pageTargetId);
        if (!status.loggedIn) failed.push(`extension ${id}: ${JSON.stringify(status)}`);
      }
      return failed;
    },
    stop: async () => {
      await sites.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Logs a browser in to every site and both extensions, through their pages. */
export async function logInEverywhere(world: JourneyWorld, endpoint: string): Promise<void> {
  await logInToEverySite(endpoint, world.sites.origins);
  await logInToTestExtension(endpoint, world.keyed.id);
  await logInToTestExtension(endpoint, world.keyless.id);
}

/** Leaves the browser's first tab on `url` (as a user's tab would be when the session ends). */
export async function showInFirstTab(endpoint: string, url: string): Promise<void> {
  const driver = await BrowserDriver.connect(endpoint);
  try {
    await driver.statusAt(url);
  } finally {
    await driver.close();
  }
}

/**
 * Opens `url` in a new tab and waits for its status page to answer logged in:
 * the user keeps that page open. (A third-party iframe's storage is then
 * read live; with no tab showing it, capture must find it in the profile,
 * which Chromium writes only seconds after the page did.)
 */
export async function keepOpenInNewTab(endpoint: string, url: string): Promise<void> {
  const connection = await connectCdp(endpoint);
  let targetId: string;
  try {
    ({ targetId } = await connection.send("Target.createTarget", { url }));
  } finally {
    await connection.close();
  }
  const driver = await BrowserDriver.connect(endpoint, targetId);
  try {
    await driver.status(url, (status) => status.loggedIn);
  } finally {
    await driver.close();
  }
}
