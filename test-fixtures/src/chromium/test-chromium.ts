import { execFile, spawn } from "node:child_process";
import { readFile, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import CDP from "chrome-remote-interface";

/**
 * The one plain Chromium for tests that start a browser themselves (to
 * write a profile, drive a page, check a proxy), independent of the
 * product's launcher in @webrun/browser-state, whose flags stay its own.
 */

/** `CHROME_PATH`, else Debian's Chromium. */
export function testChromiumPath(): string {
  return process.env.CHROME_PATH ?? "/usr/bin/chromium";
}

/** Headless, no sandbox (tests run as root), nothing talking to Google; the caller's args last. */
export function testChromiumArgs(userDataDir: string, extraArgs: readonly string[] = []): string[] {
  return [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${userDataDir}`,
    ...extraArgs,
  ];
}

/** A browser start plus a few navigations: seconds on two busy cores, never vitest's 5 s default. */
export const chromiumTestTimeoutMs = 60_000;

export interface TestChromium {
  /** The DevTools port (`http://127.0.0.1:<port>`). */
  port: number;
  /** `http://127.0.0.1:<port>`. */
  endpoint: string;
  userDataDir: string;
  /** Resolves once the browser and every process it started are gone. */
  exited: Promise<void>;
  /** `Browser.close` (flushes the profile), then waits for all its processes; SIGKILL if it hangs. */
  close(): Promise<void>;
}

const running = new Set<number>();

/** Starts Chromium on `userDataDir` with a DevTools port, on about:blank, in its own process group. */
export async function launchTestChromium(
  userDataDir: string,
  extraArgs: readonly string[] = [],
): Promise<TestChromium> {
  // A relaunch of the same profile must not read the previous run's port.
  await rm(`${userDataDir}/DevToolsActivePort`, { force: true });
  const child = spawn(
    testChromiumPath(),
    [...testChromiumArgs(userDataDir, ["--remote-debugging-port=0", ...extraArgs]), "about:blank"],
    { stdio: "ignore", detached: true },
  );
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not start ${testChromiumPath()}`);
  running.add(pgid);
  const mainExited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const exited = mainExited.then(() => groupGone(pgid)).finally(() => running.delete(pgid));
  let port: number;
  try {
    port = await devToolsPort(userDataDir, mainExited);
  } catch (error) {
    killGroup(pgid);
    await exited;
    throw error;
  }
  return {
    port,
    endpoint: `http://127.0.0.1:${port}`,
    userDataDir,
    exited,
    close: async () => {
      try {
        const client = await CDP({ port });
        await client.Browser.close().catch(() => undefined);
        await client.close().catch(() => undefined);
      } catch {
        killGroup(pgid);
      }
      const timer = setTimeout(() => killGroup(pgid), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills every test Chromium started in this process and not yet gone (an afterAll safety net). */
export function killAllTestChromiums(): void {
  for (const pgid of running) killGroup(pgid);
}

/**
 * Runs Chromium once to its end (e.g. `--dump-dom <url>`, whose clean exit
 * flushes the profile) and returns what it printed on stdout.
 */
export async function runTestChromium(
  userDataDir: string,
  args: readonly string[],
  { timeoutMs = 60_000 } = {},
): Promise<string> {
  const { stdout } = await promisify(execFile)(testChromiumPath(), testChromiumArgs(userDataDir, args), {
    timeout: timeoutMs,
    killSignal: "SIGKILL",
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

async function devToolsPort(userDataDir: string, exited: Promise<void>): Promise<number> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && !gone) {
    const text = await readFile(`${userDataDir}/DevToolsActivePort`, "utf8").catch(() => "");
    const port = Number.parseInt(text.split("\n")[0] ?? "", 10);
    if (port > 0) return port;
    await sleep(25);
  }
  throw new Error(gone ? "chromium exited before it was ready" : "chromium did not open its DevTools port");
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Chromium's children (zygote, renderers, utility processes) outlive it by a moment: wait for them, then kill. */
async function groupGone(pgid: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let waited = 0; alive() && waited < 5_000; waited += 20) await sleep(20);
  killGroup(pgid);
  for (let waited = 0; alive() && waited < 5_000; waited += 20) await sleep(20);
}
