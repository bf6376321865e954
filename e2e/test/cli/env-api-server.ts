import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiMain } from "../support/built-apps.js";
import { cli } from "./browser-cli-helpers.js";

/** A real `node apps/api/dist/main.js` on a random port, with its own data folder and one user's key. */
export interface ApiServer {
  url: string;
  key: string;
  /** Everything the server printed (its logs), for checking what never reaches them. */
  output(): string;
  stop(): Promise<void>;
}

export async function startApiServer(
  users: Record<string, string> = { alice: "wk_alice_S3CRET_key_0001" },
  settings: Record<string, string> = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), "webrun-cli-api-"));
  const child: ChildProcess = spawn(process.execPath, [apiMain], {
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      PORT: "0",
      DATA_DIR: dataDir,
      API_KEYS: Object.entries(users)
        .map(([user, key]) => `${key}:${user}`)
        .join(","),
      ...settings,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString("utf8");
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
    // main.js logs one line with the listening URL.
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the API did not start:\n${output}`)), 60_000);
      const look = () => {
        const match = /listening at (http:\/\/[^\s"]+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      };
      child.stdout?.on("data", look);
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the API exited before listening:\n${output}`));
      });
    });
    return { url, key: Object.values(users)[0] as string, output: () => output, stop } satisfies ApiServer;
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A `webrun-env` process (optionally under a wrapper such as GNU time) with only PATH and `env` set; its output is kept. */
function spawnWebrunEnv(
  args: readonly string[],
  env: Record<string, string>,
  wrapper: readonly string[] = [],
) {
  const [command, ...rest] = [...wrapper, process.execPath, cli, ...args] as [string, ...string[]];
  const child = spawn(command, rest, {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk: Buffer) => {
    output.stdout += chunk.toString("utf8");
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output.stderr += chunk.toString("utf8");
  });
  return { child, output };
}

/** Runs `webrun-env` to its end, with the given environment variables (and nothing else of ours). */
export function webrunEnv(
  args: readonly string[],
  env: Record<string, string> = {},
  wrapper: readonly string[] = [],
): Promise<CliRun> {
  const { child, output } = spawnWebrunEnv(args, env, wrapper);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, ...output }));
  });
}

/** A 127.0.0.1 port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A long-running `webrun-env` (launch): resolves with its first stdout line; `stop()` sends SIGTERM and gives the exit code. */
export async function startWebrunEnv(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ firstLine: string; stderr(): string; stop(): Promise<number | null> }> {
  const { child, output } = spawnWebrunEnv(args, env);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    return exited;
  };
  const firstLine = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const newline = output.stdout.indexOf("\n");
      if (newline !== -1) resolve(output.stdout.slice(0, newline));
    });
    void exited.then((code) =>
      reject(new Error(`webrun-env exited (${code}) before printing: ${output.stderr}`)),
    );
  });
  return { firstLine, stderr: () => output.stderr, stop };
}
