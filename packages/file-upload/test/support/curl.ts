import { execFile } from "node:child_process";

/** Runs curl, returning the HTTP status (0 when no response) and the body. */
export function curl(
  args: string[],
  timeoutMs = 120_000,
): Promise<{ status: number; body: string; exitCode: number }> {
  return new Promise((resolve) => {
    execFile(
      "curl",
      ["-sS", ...(args.includes("-o") ? [] : ["-o", "-"]), "-w", "\n%{http_code}", ...args],
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        const cut = stdout.lastIndexOf("\n");
        const exitCode = error && typeof error.code === "number" ? error.code : 0;
        resolve({ status: Number(stdout.slice(cut + 1)) || 0, body: stdout.slice(0, cut), exitCode });
      },
    );
  });
}

/** curl's JSON answer, parsed. */
export function json(body: string): Record<string, unknown> {
  return JSON.parse(body) as Record<string, unknown>;
}
