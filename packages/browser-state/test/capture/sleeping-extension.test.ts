import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { logInToTestExtension, testExtension, testExtensionUser } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CdpConnection,
  captureState,
  connectCdp,
  type LaunchedBrowser,
  launchChromium,
} from "../../src/index.js";

let dir: string;
let browser: LaunchedBrowser;
let connection: CdpConnection;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "webrun-sleeping-"));
  browser = await launchChromium({
    userDataDir: path.join(dir, "profile"),
    extensionDirs: [testExtension.dir],
  });
  connection = await connectCdp(browser.cdpUrl);
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await browser?.close();
  await rm(dir, { recursive: true, force: true });
});

async function workerRunning(): Promise<boolean> {
  const { targetInfos } = await connection.send("Target.getTargets");
  return targetInfos.some(
    (target) =>
      target.type === "service_worker" && target.url.startsWith(`chrome-extension://${testExtension.id}/`),
  );
}

describe("an MV3 extension whose service worker is asleep", () => {
  it("is captured with its chrome.storage, 40 s after its last activity", async () => {
    await logInToTestExtension(browser.cdpUrl, testExtension.id);
    const lastActivity = Date.now();
    // Nothing of the extension stays open: its worker stops after ~30 s idle.
    for (const { targetId, url } of (await connection.send("Target.getTargets")).targetInfos) {
      if (url.startsWith("chrome-extension://") && !url.endsWith(".js"))
        await connection.send("Target.closeTarget", { targetId });
    }
    while (Date.now() - lastActivity < 40_000 || (await workerRunning())) {
      expect(Date.now() - lastActivity).toBeLessThan(90_000);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }

    const { state, report } = await captureState(browser.cdpUrl, { profileDir: path.join(dir, "profile") });
    const extension = state.extensions.find((captured) => captured.id === testExtension.id);
    expect(extension?.storage.local).toMatchObject({ session: { user: testExtensionUser } });
    expect(report.extensions).toEqual({ kept: 1, of: 1, dropped: [] });
  }, 150_000);
});
