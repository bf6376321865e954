import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import CDP from "chrome-remote-interface";

/** A bare Chromium for testing the fixtures themselves (the product's launcher lives in @webrun/browser-state). */
export interface PlainChromium {
  endpoint: string;
  profileDir: string;
  /** Browser.close, then wait for the process: the profile is flushed to disk. */
  close(): Promise<void>;
}

export async function makeProfileDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "webrun-fixture-profile-"));
}

export async function launchPlainChromium(profileDir: string, args: string[]): Promise<PlainChromium> {
  // A relaunch of the same profile must not read the previous run's port.
  await rm(join(profileDir, "DevToolsActivePort"), { force: true });
  const child = spawn(
    process.env.CHROME_PATH ?? "/usr/bin/chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--remote-debugging-port=0",
      `--user-data-dir=${profileDir}`,
      ...args,
      "about:blank",
    ],
    { stdio: "ignore", detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    const port = await devToolsPort(profileDir, child);
    return {
      endpoint: `http://127.0.0.1:${port}`,
      profileDir,
      close: async () => {
        try {
          const client = await CDP({ port });
          await client.Browser.close().catch(() => undefined);
          await client.close().catch(() => undefined);
        } catch {
          killGroup(child);
        }
        const timer = setTimeout(() => killGroup(child), 10_000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (error) {
    killGroup(child);
    await exited;
    throw error;
  }
}

async function devToolsPort(profileDir: string, child: ChildProcess): Promise<number> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`chromium exited with ${child.exitCode}`);
    const text = await readFile(join(profileDir, "DevToolsActivePort"), "utf8").catch(() => "");
    const port = Number.parseInt(text.split("\n")[0] ?? "", 10);
    if (port > 0) return port;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error("chromium did not open its DevTools port in 15 s");
}

function killGroup(child: ChildProcess): void {
  if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export async function removeProfileDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
