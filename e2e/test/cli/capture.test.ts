import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectCdp, type LaunchedBrowser, launchChromium } from "@webrun/browser-state";
import { parseBrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  evaluate,
  evaluateInWorker,
  runCli,
  startCli,
  startPlainSite,
  visit,
} from "./browser-cli-helpers.js";

let site: Awaited<ReturnType<typeof startPlainSite>>;
let dir: string;
let browser: LaunchedBrowser;

beforeAll(async () => {
  site = await startPlainSite();
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-capture-"));
  browser = await launchChromium({ userDataDir: join(dir, "profile") });
  const connection = await connectCdp(browser.cdpUrl);
  const session = await visit(connection, `${site.origin}/login`);
  await evaluate(connection, session, `localStorage.setItem("token", "captured-1")`);
  await connection.close();
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("webrun-env capture", () => {
  it("writes the state document from an http:// endpoint without touching the site", async () => {
    const out = join(dir, "state.json");
    const before = site.requests.length;
    const result = await runCli(["capture", "--cdp", browser.httpUrl, "--out", out]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(site.requests.length).toBe(before);
    expect(JSON.parse(result.stdout)).toMatchObject({ out, cookies: 1, origins: 1 });
    const state = parseBrowserState(JSON.parse(await readFile(out, "utf8")));
    expect(state.cookies).toMatchObject([{ name: "sid", value: "plain-1", session: true, httpOnly: true }]);
    expect(state.origins).toMatchObject([
      { origin: site.origin, localStorage: [{ name: "token", value: "captured-1" }] },
    ]);
  }, 30_000);

  it("archives an extension with its storage, and launch brings both back", async () => {
    const extensionDir = join(dir, "extension");
    await mkdir(extensionDir);
    await writeFile(
      join(extensionDir, "manifest.json"),
      JSON.stringify({
        manifest_version: 3,
        name: "Webrun CLI test",
        version: "1.0",
        background: { service_worker: "sw.js" },
        permissions: ["storage"],
      }),
    );
    await writeFile(
      join(extensionDir, "sw.js"),
      `chrome.runtime.onInstalled.addListener(async () => {
        const { greeting } = await chrome.storage.local.get("greeting");
        if (!greeting) await chrome.storage.local.set({ greeting: "fresh-install" });
      });`,
    );
    const profile = join(dir, "extension-profile");
    const withExtension = await launchChromium({ userDataDir: profile, extensionDirs: [extensionDir] });
    const launched: { child?: import("node:child_process").ChildProcess } = {};
    try {
      const connection = await connectCdp(withExtension.cdpUrl);
      // Installed and initialised (onInstalled's own write landed) before the user changes anything.
      // That write is the extension's, due whenever it gets to it: polled up to the test's own limit.
      await expect
        .poll(() => evaluateInWorker(connection, "Webrun CLI test", `chrome.storage.local.get("greeting")`), {
          timeout: 30_000,
        })
        .toEqual({ greeting: "fresh-install" });
      await evaluateInWorker(
        connection,
        "Webrun CLI test",
        `chrome.storage.local.set({ greeting: "changed-by-user" })`,
      );
      await connection.close();

      const out = join(dir, "env.tar.gz");
      const captured = await runCli(["capture", "--cdp", withExtension.cdpUrl, "--out", out]);
      expect(captured.stderr).toBe("");
      expect(JSON.parse(captured.stdout)).toMatchObject({ extensions: 1 });

      const { child, firstLine } = await startCli(["launch", "--state", out, "--headless"]);
      launched.child = child;
      const ready = JSON.parse(firstLine) as { cdp: string };
      const seeded = await connectCdp(ready.cdp);
      expect(
        await evaluateInWorker(seeded, "Webrun CLI test", `chrome.storage.local.get("greeting")`),
      ).toEqual({
        greeting: "changed-by-user",
      });
      await seeded.close();
    } finally {
      launched.child?.kill("SIGTERM");
      await withExtension.close();
    }
  }, 60_000);

  it("fails fast on a dead endpoint and leaves no output file", async () => {
    const outDir = join(dir, "dead");
    await mkdir(outDir);
    const started = Date.now();
    const result = await runCli([
      "capture",
      "--cdp",
      "http://127.0.0.1:9",
      "--out",
      join(outDir, "state.json"),
    ]);
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("http://127.0.0.1:9");
    expect(await readdir(outDir)).toEqual([]);
  });

  it("refuses an output it cannot write", async () => {
    const result = await runCli(["capture", "--cdp", browser.httpUrl, "--out", join(dir, "state.txt")]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/\.json .*\.tar\.gz/);
  });
});
