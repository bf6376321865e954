import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { StateReport } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CdpConnection,
  captureState,
  connectCdp,
  type LaunchedBrowser,
  launchChromium,
  teardownCapture,
} from "../../src/index.js";
import { type LocalSites, startLocalSites } from "../cdp/local-sites.js";
import { openTestTab, type TestTab } from "../cdp/page-driver.js";

let sites: LocalSites;
let dir: string;
let browser: LaunchedBrowser;
let connection: CdpConnection;
let dialogTab: TestTab;

/** Opens an alert the way a page does: the script that calls it does not return until someone answers. */
const openAlert = `setTimeout(() => alert("Your session is about to expire"), 0); true`;

/** The warning naming tabs that did not answer, if any. */
function unansweredWarning(report: StateReport): string | undefined {
  return report.warnings.find((warning) => warning.includes("did not answer"));
}

beforeAll(async () => {
  sites = await startLocalSites();
  dir = await mkdtemp(path.join(tmpdir(), "webrun-unanswering-"));
  browser = await launchChromium({ userDataDir: path.join(dir, "profile"), args: sites.chromiumArgs });
  connection = await connectCdp(browser.cdpUrl);
  dialogTab = await openTestTab(connection);
  await dialogTab.goto(`${sites.origin("a.test")}/`);
  await dialogTab.eval(
    `localStorage.setItem("a", "before-the-dialog"); sessionStorage.setItem("s", "a-tab")`,
  );
  await dialogTab.eval(openAlert);
  const busy = await openTestTab(connection);
  await busy.goto(`${sites.origin("b.test")}/`);
  await busy.eval(`localStorage.setItem("b", "before-the-loop"); setTimeout(() => { for (;;) {} }, 0); true`);
  const healthy = await openTestTab(connection);
  await healthy.goto(`${sites.origin("c.test")}/`);
  // Written just now: only a live read of this tab can see it (the profile on disk lags by seconds).
  await healthy.eval(`sessionStorage.setItem("c", "live")`);
}, 30_000);

afterAll(async () => {
  await connection?.close();
  await browser?.close();
  await sites?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("tabs that do not answer (an open alert, a script that never yields)", () => {
  it("captureState reads around them and names them instead of hanging, and leaves the dialog open", async () => {
    const { state, report } = await captureState(browser.cdpUrl, { profileDir: path.join(dir, "profile") });

    const warning = unansweredWarning(report);
    expect(warning).toContain(sites.origin("a.test"));
    expect(warning).toContain(sites.origin("b.test"));
    expect(warning).not.toContain(sites.origin("c.test"));
    expect(report.complete).toBe(false);
    const origin = (host: string) => state.origins.find((o) => o.origin === sites.origin(host));
    expect(origin("a.test")?.localStorage).toEqual([{ name: "a", value: "before-the-dialog" }]);
    expect(origin("b.test")?.localStorage).toEqual([{ name: "b", value: "before-the-loop" }]);
    expect(origin("c.test")?.sessionStorage).toEqual([{ name: "c", value: "live" }]);

    // The user's dialog is still there for them to answer: a capture only reads.
    await expect(
      connection.send("Page.handleJavaScriptDialog", { accept: true }, dialogTab.sessionId),
    ).resolves.toBeDefined();
  }, 30_000);

  it("teardownCapture reads them from the closed profile and names them", async () => {
    await dialogTab.eval(openAlert);
    const { state, report } = await teardownCapture(browser);

    const warning = unansweredWarning(report);
    expect(warning).toContain(sites.origin("a.test"));
    expect(warning).toContain(sites.origin("b.test"));
    const origin = (host: string) => state.origins.find((o) => o.origin === sites.origin(host));
    expect(origin("a.test")?.localStorage).toEqual([{ name: "a", value: "before-the-dialog" }]);
    expect(origin("a.test")?.sessionStorage).toEqual([{ name: "s", value: "a-tab" }]);
    expect(origin("b.test")?.localStorage).toEqual([{ name: "b", value: "before-the-loop" }]);
    expect(origin("c.test")?.sessionStorage).toEqual([{ name: "c", value: "live" }]);
  }, 30_000);
});

describe("a tab that closes as it is captured", () => {
  let raceBrowser: LaunchedBrowser;
  let raceConnection: CdpConnection;

  beforeAll(async () => {
    raceBrowser = await launchChromium({
      userDataDir: path.join(dir, "race-profile"),
      args: sites.chromiumArgs,
    });
    raceConnection = await connectCdp(raceBrowser.cdpUrl);
  }, 30_000);

  afterAll(async () => {
    await raceConnection?.close();
    await raceBrowser?.close();
  });

  it("is left out of captureState, which neither waits for it nor fails", async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const closing = await openTestTab(raceConnection);
      await closing.goto(`${sites.origin("d.test")}/`);
      // An unload handler that takes a moment, as real pages' do: the tab is listed, but no longer answers.
      await closing.eval(
        `localStorage.setItem("d", "${attempt}"); addEventListener("unload", () => { const t = Date.now(); while (Date.now() - t < 100) {} }); true`,
      );
      await closing.close();
      const { state, report } = await captureState(raceBrowser.cdpUrl, {
        profileDir: path.join(dir, "race-profile"),
      });
      expect(report.warnings.join("\n")).not.toContain(sites.origin("d.test"));
      expect(state.origins.find((o) => o.origin === sites.origin("d.test"))?.localStorage).toEqual([
        { name: "d", value: String(attempt) },
      ]);
    }
  }, 30_000);
});
