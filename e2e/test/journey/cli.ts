import { type ChildProcess, execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { cliMain, repoRoot } from "../support/built-apps.js";

const run = promisify(execFile);

/** Runs one `webrun-env` command to completion; its stdout's last line parsed as JSON. */
export async function webrunEnv(args: readonly string[]): Promise<unknown> {
  const { stdout } = await run(process.execPath, [cliMain, ...args], { cwd: repoRoot, timeout: 120_000 });
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1] as string);
}

/** A running `webrun-env launch` and the JSON line it printed once its browser was ready. */
export interface CliLaunch {
  ready: { cdp: string; pid: number; pageTargetId?: string };
  /** SIGTERM, then its exit code. */
  stop(): Promise<number | null>;
}

export async function webrunEnvLaunch(args: readonly string[]): Promise<CliLaunch> {
  const child: ChildProcess = spawn(process.execPath, [cliMain, "launch", ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = once(child, "exit") as Promise<[number | null, string | null]>;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    const [code] = await exited;
    return code;
  };
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const first = await Promise.race([
    once(lines, "line").then(([line]) => line as string),
    exited.then(([code]) => {
      throw new Error(`webrun-env launch exited with ${code} before it was ready: ${stderr.trim()}`);
    }),
  ]).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  lines.close();
  return { ready: JSON.parse(first), stop };
}
