import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkEverySite,
  checkTestExtension,
  copyTestExtensionWithoutKey,
  describeFailedChecks,
  launchTestChromium,
  logInToEverySite,
  logInToTestExtension,
  startTestSites,
  type TestChromium,
  type TestSites,
  testExtension,
  testExtensionUser,
} from "../src/index.js";

const makeProfileDir = () => mkdtemp(path.join(tmpdir(), "webrun-fixture-profile-"));

// The test world must tell a logged-in browser from a logged-out one, kind by
// kind, or the journey tests that rely on it prove nothing.
describe("test sites in a real Chromium", () => {
  let sites: TestSites;
  let profileDir: string;
  let extraDir: string;
  let browser: TestChromium | undefined;

  beforeAll(async () => {
    sites = await startTestSites();
    profileDir = await makeProfileDir();
    extraDir = await makeProfileDir();
  });

  afterAll(async () => {
    await browser?.close();
    await sites?.stop();
    await rm(profileDir, { recursive: true, force: true });
    await rm(extraDir, { recursive: true, force: true });
  });

  const launch = async (extensionDir = testExtension.dir) => {
    await browser?.close();
    browser = await launchTestChromium(profileDir, [
      ...sites.chromiumArgs,
      `--load-extension=${extensionDir}`,
    ]);
    return browser.endpoint;
  };

  it("answers logged out everywhere in a fresh profile", async () => {
    const endpoint = await launch();
    const results = await checkEverySite(endpoint, sites.origins);
    expect(results.map((r) => [r.id, r.actual.loggedIn])).toEqual(results.map((r) => [r.id, false]));
    expect(await checkTestExtension(endpoint, testExtension.id)).toMatchObject({ loggedIn: false });
  }, 60_000);

  it("logs in to every site through the real pages, and counts the requests", async () => {
    const endpoint = browser?.endpoint as string;
    sites.reset();
    await logInToEverySite(endpoint, sites.origins);
    await logInToTestExtension(endpoint, testExtension.id);
    expect(sites.hits({ host: "bank.test", path: "/login" })).toBe(2);
    expect(sites.hits({ host: "sso.test", path: "/authorize" })).toBe(2);
    expect(sites.hits({ host: "widget.test", path: "/login" })).toBe(1);
    expect(sites.hits({ host: "legacy.test" })).toBeGreaterThanOrEqual(4);
    expect(sites.requests().every((hit) => hit.path !== "/favicon.ico")).toBe(true);

    const results = await checkEverySite(endpoint, sites.origins);
    expect(describeFailedChecks(results)).toEqual([]);
    expect(results.find((r) => r.id === "docs")?.actual.detail).toContain("Date and Uint8Array");
    expect(await checkTestExtension(endpoint, testExtension.id)).toMatchObject({
      loggedIn: true,
      user: testExtensionUser,
    });
    sites.reset();
    expect(sites.hits()).toBe(0);
  }, 90_000);

  it("after a restart of the same profile, loses exactly the session-only cookie and sessionStorage", async () => {
    const endpoint = await launch();
    const results = await checkEverySite(endpoint, sites.origins);
    const failed = results.filter((r) => !r.ok).map((r) => r.id);
    expect(failed).toEqual(["mail", "chat"]);
    expect(await checkTestExtension(endpoint, testExtension.id)).toMatchObject({ loggedIn: true });
    await browser?.close();
    browser = undefined;
  }, 60_000);

  it("loads a keyless copy of the extension under the id computed from its path", async () => {
    const keyless = await copyTestExtensionWithoutKey(extraDir);
    const endpoint = await launch(keyless.dir);
    expect(keyless.id).not.toBe(testExtension.id);
    await logInToTestExtension(endpoint, keyless.id);
    expect(await checkTestExtension(endpoint, keyless.id)).toMatchObject({
      loggedIn: true,
      user: testExtensionUser,
    });
  }, 60_000);
});
