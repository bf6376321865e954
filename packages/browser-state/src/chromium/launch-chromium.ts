import { type ChildProcess, spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { type CdpConnection, connectCdp } from "../cdp/cdp-connection.js";
import { browserStateError } from "../errors.js";
import { answerProxyAuth } from "../proxy/proxy-auth.js";
import type { ProxyLaunchPlan } from "../proxy/proxy-launch-plan.js";
import { chromiumArgs, type PasswordStore } from "./chromium-flags.js";
import { findChromium } from "./find-chromium.js";
import { killProcessGroup, processGroupGone } from "./process-group.js";

export interface LaunchOptions {
  /** The profile directory; the caller owns it (create and remove it). */
  userDataDir: string;
  /** Default true. */
  headless?: boolean;
  /** Extra Chromium flags, appended last. */
  args?: readonly string[];
  proxyPlan?: ProxyLaunchPlan;
  /** Unpacked extension directories to load with `--load-extension`. */
  extensionDirs?: readonly string[];
  /** Default: {@link findChromium}. */
  executablePath?: string;
  /** The key cookies are encrypted with (default `"fixed"`); `"system"` to open a desktop browser's profile. */
  passwordStore?: PasswordStore;
  /** How long Chromium may take to open its DevTools endpoint. Default 30 s. */
  startTimeoutMs?: number;
}

/** A running Chromium started by us. */
export interface LaunchedBrowser {
  /** Browser-level websocket endpoint (`ws://127.0.0.1:<port>/devtools/browser/<id>`). */
  readonly cdpUrl: string;
  /** The DevTools HTTP endpoint (`http://127.0.0.1:<port>`), for clients that want `/json/version`. */
  readonly httpUrl: string;
  readonly pid: number;
  readonly userDataDir: string;
  /**
   * A page target that is ready for the caller's first navigation (about:blank).
   * `launchSeeded` restores sessionStorage into this tab, so use it.
   */
  readonly pageTargetId?: string;
  /**
   * Resolves when the browser has exited (for any reason) and every process
   * it started (zygote, renderers, GPU and utility processes) is gone too:
   * from then on nothing writes into the profile, so it can be read or removed.
   */
  readonly exited: Promise<void>;
  /** `Browser.close` (flushes the profile), then SIGKILL to all its processes if it has not exited within the timeout; resolves with `exited`. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** A launched browser plus our own control connection (kept for `close` and proxy auth). */
export interface ControlledBrowser extends LaunchedBrowser {
  readonly connection: CdpConnection;
}

const devToolsLine = /DevTools listening on (ws:\/\/\S+)/;
/** What a windowed Chromium prints before it exits on a machine without a screen (X11, then Wayland). */
const noDisplayLine = /Missing X server or \$DISPLAY|Failed to connect to Wayland display/;

/**
 * The browser endpoint, from whichever comes first: Chromium's "DevTools
 * listening on" line on stderr, or the `DevToolsActivePort` file it writes
 * into the profile (for builds or wrappers that keep stderr quiet).
 */
function waitForDevTools(child: ChildProcess, userDataDir: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let stderrTail = "";
    const timer = setTimeout(
      () => finish(new Error(`no DevTools endpoint after ${timeoutMs} ms`)),
      timeoutMs,
    );
    const portFile = path.join(userDataDir, "DevToolsActivePort");
    const poll = setInterval(() => {
      readFile(portFile, "utf8").then(
        (text) => {
          const [port, wsPath] = text.split("\n");
          if (port && /^\d+$/.test(port) && wsPath?.startsWith("/devtools/browser/")) {
            finish(undefined, `ws://127.0.0.1:${port}${wsPath.trim()}`);
          }
        },
        () => undefined,
      );
    }, 25);
    const onData = (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString("utf8")).slice(-4_000);
      const match = devToolsLine.exec(stderrTail);
      if (match?.[1]) finish(undefined, match[1]);
    };
    const onExit = (code: number | null, signal: string | null) => {
      const exited = () =>
        finish(new Error(`Chromium exited before it was ready (code ${code}, signal ${signal})`));
      // Its last lines (the reason) can still be in the pipe, which its children may hold open: read on briefly.
      child.stderr?.once("end", exited);
      setTimeout(exited, 500);
    };
    const onError = (error: Error) => finish(error);
    let settled = false;
    function finish(error: Error | undefined, url?: string) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      child.stderr?.off("data", onData);
      child.off("exit", onExit);
      child.off("error", onError);
      // Keep draining stderr so a chatty browser never blocks on a full pipe.
      child.stderr?.resume();
      if (url) resolve(url);
      else if (noDisplayLine.test(stderrTail))
        reject(
          browserStateError({
            kind: "invalid_input",
            code: "CHROMIUM_NO_DISPLAY",
            message:
              "Chromium has no display to open a window on ($DISPLAY and $WAYLAND_DISPLAY are unset, or nothing answers there): launch it headless, or run it in a desktop session or under xvfb-run",
            cause: error,
          }),
        );
      else
        reject(
          browserStateError({
            kind: "unavailable",
            code: "CHROMIUM_LAUNCH_FAILED",
            message: `could not start Chromium: ${error?.message}. Last output: ${lastLines(stderrTail)}`,
            cause: error,
          }),
        );
    }
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
    child.once("error", onError);
  });
}

function lastLines(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ") || "(none)";
}

/**
 * Starts Chromium on `userDataDir` with the measured fast flags, a DevTools
 * port chosen by the OS, `--no-sandbox` when running as root, the proxy
 * plan's arguments (and CDP answers to its login challenge), the caller's
 * args last. Resolves once the browser endpoint accepts commands.
 */
export async function launchChromium(options: LaunchOptions): Promise<ControlledBrowser> {
  const executable = options.executablePath ?? findChromium();
  const args = chromiumArgs({
    userDataDir: options.userDataDir,
    headless: options.headless ?? true,
    runningAsRoot: process.getuid?.() === 0,
    passwordStore: options.passwordStore,
    proxyArgs: options.proxyPlan?.chromeArgs,
    extensionDirs: options.extensionDirs,
    extraArgs: options.args,
  });
  // A port file left by an earlier run of this profile would point at a dead port.
  await rm(path.join(options.userDataDir, "DevToolsActivePort"), { force: true });
  // Its own process group (pgid = its pid), so that all of its processes can be awaited and killed.
  const child = spawn(executable, args, { stdio: ["ignore", "ignore", "pipe"], detached: true });
  const mainExited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
  const exited = mainExited.then(() => (child.pid === undefined ? undefined : processGroupGone(child.pid)));
  const killNow = () => {
    if (child.pid !== undefined) killProcessGroup(child.pid);
  };
  let connection: CdpConnection;
  let authConnection: CdpConnection | undefined;
  try {
    const cdpUrl = await waitForDevTools(child, options.userDataDir, options.startTimeoutMs ?? 30_000);
    connection = await connectCdp(cdpUrl);
    if (options.proxyPlan?.credentials) {
      authConnection = await connectCdp(cdpUrl);
      await answerProxyAuth(authConnection, options.proxyPlan.credentials);
    }
  } catch (error) {
    killNow();
    await exited;
    throw error;
  }
  const wsUrl = connection.wsUrl;
  const httpUrl = `http://${new URL(wsUrl).host}`;
  let closing: Promise<void> | undefined;
  return {
    cdpUrl: wsUrl,
    httpUrl,
    pid: child.pid ?? -1,
    userDataDir: options.userDataDir,
    connection,
    exited,
    close({ timeoutMs = 5_000 } = {}) {
      closing ??= (async () => {
        await connection.send("Browser.close").catch(() => undefined);
        const timer = setTimeout(killNow, timeoutMs);
        await exited;
        clearTimeout(timer);
        await connection.close();
        await authConnection?.close();
      })();
      return closing;
    },
  };
}
