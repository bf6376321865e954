import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startApi } from "../support/api-process.js";
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
): Promise<ApiServer> {
  const dataDir = await mkdtemp(join(tmpdir(), "webrun-cli-api-"));
  const removeData = () => rm(dataDir, { recursive: true, force: true });
  try {
    const api = await startApi({
      DATA_DIR: dataDir,
      API_KEYS: Object.entries(users)
        .map(([user, key]) => `${key}:${user}`)
        .join(","),
      ...settings,
    });
    return {
      url: api.url,
      key: Object.values(users)[0] as string,
      output: api.output,
      stop: async () => {
        await api.stop();
        await removeData();
      },
    };
  } catch (error) {
    await removeData();
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

/** A long-running `webrun-env` (launch, session): resolves with its first stdout line; `stop()` sends SIGTERM and gives the exit code. */
export async function startWebrunEnv(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{
  firstLine: string;
  stdout(): string;
  stderr(): string;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}> {
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
  return { firstLine, stdout: () => output.stdout, stderr: () => output.stderr, exited, stop };
}
