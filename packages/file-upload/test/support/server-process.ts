import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const serverScript = fileURLToPath(new URL("../../bench/upload-server.mjs", import.meta.url));

/** The reference upload server (bench/upload-server.mjs, built dist) running as its own process. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** Peak resident memory so far (VmHWM), in bytes. */
  peakRss(): Promise<number>;
  stop(): Promise<void>;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, [serverScript], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const { url, pid } = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
    let stdout = "";
    child.stdout?.on("data", (chunk) => {
      stdout += chunk;
      const line = stdout.split("\n")[0];
      if (stdout.includes("\n") && line) resolve(JSON.parse(line));
    });
    child.once("exit", (code) =>
      reject(new Error(`upload server exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
  return {
    url,
    pid,
    peakRss: async () => {
      const { readFile } = await import("node:fs/promises");
      const status = await readFile(`/proc/${pid}/status`, "utf8");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]) * 1024;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
