import { type ChildProcess, spawn } from "node:child_process";
import { apiMain } from "./built-apps.js";

/** `node apps/api/dist/main.js` as its own process, with everything it printed kept for assertions. */
export interface ApiProcess {
  url: string;
  pid: number;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 10 s; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the server. In the shared work tree other packages' `dist` may be
 * mid-rebuild for a few seconds; a start that fails only because a module
 * is missing is retried (up to 4 times, 15 s apart) instead of failing the suite.
 */
export async function startApi(env: Record<string, string>): Promise<ApiProcess> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env);
    } catch (error) {
      if (attempt >= 4 || !String(error).includes("ERR_MODULE_NOT_FOUND")) throw error;
      await new Promise((resolve) => setTimeout(resolve, 15_000));
    }
  }
}

async function startOnce(env: Record<string, string>): Promise<ApiProcess> {
  const child: ChildProcess = spawn(process.execPath, [apiMain], {
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`API did not start in 60 s:\n${output.slice(-2000)}`));
    }, 60_000);
    const check = () => {
      const match = /listening at (http:\/\/[^\s"]+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on("data", check);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with ${code} before listening:\n${output.slice(-2000)}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    url,
    pid: child.pid as number,
    output: () => output,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
