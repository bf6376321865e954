import { emptyBrowserState, parseBrowserState } from "@webrun/state";
import { BrowserDriver, type PasskeySite, startPasskeySite } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CdpConnection,
  captureState,
  connectCdp,
  launchSeeded,
  restoreState,
  type SeededBrowser,
  teardownCapture,
} from "../../src/index.js";

let site: PasskeySite;
const browsers: SeededBrowser[] = [];

beforeAll(async () => {
  site = await startPasskeySite();
});

afterAll(async () => {
  // Each close waits for the browser's whole process group: in parallel, with room for a slow one.
  await Promise.all(browsers.map((browser) => browser.close().catch(() => undefined)));
  await site?.stop();
}, 60_000);

async function launch(...args: Parameters<typeof launchSeeded>): Promise<SeededBrowser> {
  const browser = await launchSeeded(args[0], { args: site.chromiumArgs, ...args[1] });
  browsers.push(browser);
  return browser;
}

/** A new tab of the browser, on the passkey site. */
async function newTabOnSite(connection: CdpConnection, cdpUrl: string): Promise<BrowserDriver> {
  const { targetId } = await connection.send("Target.createTarget", { url: "about:blank" });
  const tab = await BrowserDriver.connect(cdpUrl, targetId);
  await tab.goto(`${site.origin}/`);
  return tab;
}

describe("passkeys of a virtual authenticator", () => {
  it("a passkey registered in one browser logs in from a new tab of a browser seeded with its capture", async () => {
    const first = await launch(emptyBrowserState(), { virtualAuthenticator: true });
    const control = await connectCdp(first.cdpUrl);
    // Tab B is open before the passkey exists; tab A registers it and then closes.
    const tabB = await newTabOnSite(control, first.cdpUrl);
    const tabA = await newTabOnSite(control, first.cdpUrl);
    expect(await tabA.evaluate(`register("alice")`)).toEqual({ ok: true, user: "alice" });
    await tabA.close();
    // Mirrored into the tab that was already open; using it there moves the counter on.
    expect(await tabB.evaluate("logIn()")).toEqual({ ok: true, user: "alice" });
    await tabB.close();
    await control.close();

    const { state, report } = await teardownCapture(first);
    expect(report.passkeys).toEqual({ kept: 1, of: 1, dropped: [] });
    const [passkey] = state.webauthn?.credentials ?? [];
    expect(passkey).toMatchObject({ rpId: site.rpId, isResidentCredential: true, userName: "alice" });
    expect(passkey?.signCount).toBeGreaterThanOrEqual(2);
    expect(state.webauthn?.authenticator).toMatchObject({ protocol: "ctap2", transport: "internal" });

    // Through JSON and the schema, as a stored environment comes back.
    const carried = parseBrowserState(JSON.parse(JSON.stringify(state)));
    const second = await launch(carried);
    expect(second.report.passkeys).toEqual({ kept: 1, of: 1, dropped: [] });
    const connection = await connectCdp(second.cdpUrl);
    try {
      // The server checks the signature with the key it stored and that the counter went on.
      const tab = await newTabOnSite(connection, second.cdpUrl);
      expect(await tab.evaluate("logIn()")).toEqual({ ok: true, user: "alice" });
      await tab.close();
      const handedOver = await BrowserDriver.connect(second.cdpUrl, second.pageTargetId);
      await handedOver.goto(`${site.origin}/`);
      expect(await handedOver.evaluate("logIn()")).toEqual({ ok: true, user: "alice" });
      await handedOver.close();
    } finally {
      await connection.close();
    }
  }, 120_000);

  it("a browser without a virtual authenticator has no passkey to log in with", async () => {
    const bare = await launch(emptyBrowserState());
    expect(bare.passkeys).toBeUndefined();
    const tab = await BrowserDriver.connect(bare.cdpUrl, bare.pageTargetId);
    await tab.goto(`${site.origin}/`);
    const outcome = await tab.evaluate(
      `Promise.race([logIn(), new Promise((ok) => setTimeout(() => ok("no passkey"), 3000))]).catch((e) => e.name)`,
    );
    expect(outcome).not.toEqual({ ok: true, user: "alice" });
    await tab.close();
  }, 60_000);

  it("a capture through another CDP client warns that a tab's authenticator holds passkeys it cannot read", async () => {
    const first = await launch(emptyBrowserState(), { virtualAuthenticator: true });
    const control = await connectCdp(first.cdpUrl);
    try {
      const tab = await newTabOnSite(control, first.cdpUrl);
      expect(await tab.evaluate(`register("alice")`)).toEqual({ ok: true, user: "alice" });
      // Left open: its authenticator belongs to launchSeeded's connection, not to the capture's.
      const { state, report } = await captureState(first.cdpUrl);
      expect(state.webauthn).toBeUndefined();
      expect(report.complete).toBe(false);
      const warning = report.warnings.find((text) => text.startsWith("passkeys not captured"));
      expect(warning).toContain(site.origin);
      await tab.close();
    } finally {
      await control.close();
    }

    // A browser no authenticator is attached to gets no such warning.
    const bare = await launch(emptyBrowserState());
    const tab = await BrowserDriver.connect(bare.cdpUrl, bare.pageTargetId);
    await tab.goto(`${site.origin}/`);
    const { report } = await captureState(bare.cdpUrl);
    expect(report.warnings.filter((text) => text.startsWith("passkeys"))).toEqual([]);
    await tab.close();
    await Promise.all([first.close(), bare.close()]);
  }, 120_000);

  it("restore into a running browser reports the passkeys it cannot carry", async () => {
    const state = parseBrowserState({
      ...emptyBrowserState(),
      webauthn: {
        credentials: [
          {
            credentialId: "AAEC",
            rpId: site.rpId,
            privateKey: "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg",
            signCount: 0,
            isResidentCredential: true,
          },
        ],
      },
    });
    const target = await launch(emptyBrowserState());
    const { report } = await restoreState(target.cdpUrl, state);
    expect(report.passkeys.kept).toBe(0);
    expect(report.passkeys.of).toBe(1);
    expect(report.passkeys.dropped[0]?.reason).toMatch(/DevTools session/);
    expect(report.complete).toBe(false);
  }, 60_000);
});
