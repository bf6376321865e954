import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { isWebrunError } from "@webrun/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumArgs } from "../../src/chromium/chromium-flags.js";
import {
  checkChromiumBinary,
  connectCdp,
  findChromium,
  type LaunchedBrowser,
  launchChromium,
} from "../../src/index.js";

describe("findChromium", () => {
  it("prefers CHROME_PATH and refuses a wrong one naming the variable", () => {
    expect(findChromium({ CHROME_PATH: "/usr/bin/chromium" })).toBe("/usr/bin/chromium");
    expect(() => findChromium({ CHROME_PATH: "/nonexistent/chrome" })).toThrow(/CHROME_PATH/);
  });
  it("searches PATH and explains how to install when nothing is there", () => {
    expect(findChromium({ PATH: "/usr/bin" })).toBe("/usr/bin/chromium");
    expect(() => findChromium({ PATH: "/nonexistent" })).toThrow(/CHROME_PATH.*apt-get install chromium/);
  });
});

describe("checkChromiumBinary", () => {
  it("answers Chromium's version line", async () => {
    expect(await checkChromiumBinary("/usr/bin/chromium")).toMatch(/^Chromium \d+\.\d+\.\d+/);
  });
  it("refuses a program that is not a Chromium-based browser, and a missing file, by name", async () => {
    const echo = await checkChromiumBinary("/bin/echo").catch((e: unknown) => e);
    expect(isWebrunError(echo, "BROWSER_NOT_CHROMIUM")).toBe(true);
    expect((echo as Error).message).toMatch(/^\/bin\/echo is not a Chromium-based browser/);
    const missing = await checkChromiumBinary("/nonexistent/chrome").catch((e: unknown) => e);
    expect(isWebrunError(missing, "BROWSER_NOT_CHROMIUM")).toBe(true);
    expect((missing as Error).message).toBe("cannot run /nonexistent/chrome: no such file");
  });
});

describe("chromiumArgs: the key cookies are encrypted with", () => {
  const flags = (passwordStore?: Parameters<typeof chromiumArgs>[0]["passwordStore"]) =>
    chromiumArgs({ userDataDir: "/p", headless: true, runningAsRoot: false, passwordStore }).filter(
      (arg) => arg.startsWith("--password-store") || arg === "--use-mock-keychain",
    );
  it("is the fixed key by default, the machine's own choice with system, or a named Linux backend", () => {
    expect(flags()).toEqual(["--password-store=basic", "--use-mock-keychain"]);
    expect(flags("system")).toEqual([]);
    expect(flags("gnome-libsecret")).toEqual(["--password-store=gnome-libsecret"]);
  });
});

describe("launchChromium without a display", () => {
  it("a windowed launch is refused with CHROMIUM_NO_DISPLAY saying to launch headless, and leaves no process", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "webrun-no-display-"));
    const saved = { DISPLAY: process.env.DISPLAY, WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY };
    delete process.env.DISPLAY;
    delete process.env.WAYLAND_DISPLAY;
    try {
      const error = await launchChromium({ userDataDir: dir, headless: false }).catch((e: unknown) => e);
      expect(isWebrunError(error, "CHROMIUM_NO_DISPLAY"), String(error)).toBe(true);
      expect((error as Error).message).toMatch(/no display .*launch it headless/);
      const orphans = await new Promise<string>((resolve) =>
        execFile("pgrep", ["-f", dir], (_error, out) => resolve(out.trim())),
      );
      expect(orphans).toBe("");
    } finally {
      for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("launchChromium and connectCdp", () => {
  let dir: string;
  let browser: LaunchedBrowser;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "webrun-launch-"));
    browser = await launchChromium({ userDataDir: dir });
  });
  afterAll(async () => {
    await browser?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("exposes a browser websocket and an http endpoint that both connect", async () => {
    expect(browser.cdpUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
    for (const endpoint of [browser.cdpUrl, browser.httpUrl]) {
      const connection = await connectCdp(endpoint);
      expect(connection.product).toMatch(/Chrom/);
      const { targetInfos } = await connection.send("Target.getTargets");
      expect(Array.isArray(targetInfos)).toBe(true);
      await connection.close();
    }
  });

  it("fails fast on a dead endpoint, naming it", async () => {
    const started = Date.now();
    const error = await connectCdp("http://127.0.0.1:9/").catch((e: unknown) => e);
    expect(isWebrunError(error, "CDP_UNREACHABLE")).toBe(true);
    expect((error as Error).message).toContain("http://127.0.0.1:9");
    expect(Date.now() - started).toBeLessThan(3_500);
  });

  it("refuses an HTTP server that is not Chromium", async () => {
    const server = http.createServer((_req, res) => res.end("hello"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      const error = await connectCdp(`http://127.0.0.1:${port}`).catch((e: unknown) => e);
      expect(isWebrunError(error, "CDP_NOT_CHROMIUM")).toBe(true);
    } finally {
      server.close();
    }
  });

  it("finds the endpoint through DevToolsActivePort when the browser's stderr is silent", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "webrun-launch-"));
    const quiet = path.join(other, "quiet-chromium.sh");
    await writeFile(quiet, `#!/bin/sh\nexec ${findChromium()} "$@" 2>/dev/null\n`, { mode: 0o755 });
    const silent = await launchChromium({ userDataDir: path.join(other, "profile"), executablePath: quiet });
    try {
      expect(silent.cdpUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
      const connection = await connectCdp(silent.cdpUrl);
      await connection.close();
    } finally {
      await silent.close();
      await rm(other, { recursive: true, force: true });
    }
  });

  it("close() ends the process", async () => {
    const other = await mkdtemp(path.join(tmpdir(), "webrun-launch-"));
    const second = await launchChromium({ userDataDir: other });
    await second.close();
    expect(() => process.kill(second.pid, 0)).toThrow();
    await rm(other, { recursive: true, force: true });
  });
});
