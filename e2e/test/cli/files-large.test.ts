import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./browser-cli-helpers.js";
import { type ApiServer, type CliRun, startApiServer, webrunEnv } from "./env-api-server.js";

// Large transfers through the CLI process against a real API: bytes stream
// (the process never holds the file), and a progress bar is drawn only on a terminal.

const MiB = 1024 * 1024;
const size = 288 * MiB;
let api: ApiServer;
let dir: string;
let big: string;
let env: Record<string, string>;

interface Measured extends CliRun {
  /** Peak resident memory of the CLI process, in bytes (GNU time's %M). */
  peakRss: number;
}

/** Runs the CLI under GNU time, which reports the process's peak resident memory on its last stderr line. */
async function measured(args: string[]): Promise<Measured> {
  const run = await webrunEnv(args, env, ["/usr/bin/time", "-f", "peak-rss-kb=%M"]);
  const peak = /peak-rss-kb=(\d+)\s*$/.exec(run.stderr);
  return {
    ...run,
    stderr: run.stderr.replace(/(Command exited with non-zero status \d+\n)?peak-rss-kb=\d+\s*$/, ""),
    peakRss: Number(peak?.[1]) * 1024,
  };
}

/** Runs the CLI on a pseudo-terminal (util-linux `script`): what a person at a terminal sees. */
function onTerminal(args: string[]): Promise<{ code: number | null; output: string }> {
  const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;
  const command = [process.execPath, cli, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = spawn("script", ["-q", "-e", "-c", command, "/dev/null"], {
      env: { PATH: process.env.PATH ?? "", TERM: "xterm", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hash);
  return hash.digest("hex");
}

beforeAll(async () => {
  api = await startApiServer(undefined, { MAX_FILE_BYTES: String(size) });
  env = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key };
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-large-"));
  big = join(dir, "big.bin");
  // Incompressible bytes, written a MiB at a time.
  async function* bytes() {
    for (let i = 0; i < size / MiB; i++)
      yield createHash("sha512").update(String(i)).digest().toString("hex").repeat(8192);
  }
  await pipeline(bytes(), createWriteStream(big));
}, 120_000);

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("large transfers", { timeout: 180_000 }, () => {
  let fileId: string;
  let baseline: number;

  it("a 288 MiB upload and download stream: the CLI's peak memory grows far less than the file", async () => {
    const list = await measured(["env", "list", "--json"]);
    expect(list.code).toBe(0);
    baseline = list.peakRss;

    const upload = await measured(["files", "upload", big, "--json"]);
    expect(upload.stderr).toBe("");
    expect(upload.code).toBe(0);
    const [file] = JSON.parse(upload.stdout).files as { fileId: string; size: number }[];
    expect(file?.size).toBe(size);
    fileId = file?.fileId as string;

    const out = join(dir, "back.bin");
    const download = await measured(["files", "get", fileId, "--out", out, "--json"]);
    expect(download.stderr).toBe("");
    expect(download.code).toBe(0);
    expect(await sha256(out)).toBe(await sha256(big));

    // Held whole, the file alone would add 288 MiB; streamed, the process stays near its idle size
    // (the margin is for garbage not yet collected on a loaded machine).
    expect(upload.peakRss - baseline).toBeLessThan(96 * MiB);
    expect(download.peakRss - baseline).toBeLessThan(96 * MiB);
    process.stdout.write(
      `peak RSS: idle ${(baseline / MiB).toFixed(0)} MiB, 288 MiB upload ${(upload.peakRss / MiB).toFixed(0)} MiB, download ${(download.peakRss / MiB).toFixed(0)} MiB\n`,
    );
  });

  it("draws a progress bar on a terminal, and finishes it at 100%", async () => {
    const { code, output } = await onTerminal(["files", "get", fileId, "--out", join(dir, "tty.bin")]);
    expect(code).toBe(0);
    expect(output).toMatch(/download \[[█░]+\] \d+% /);
    expect(output).toContain("100% 288 MiB/288 MiB");
    expect(output).toContain(`wrote ${join(dir, "tty.bin")}: 288 MiB`);
    expect(output).not.toContain(api.key);
  });
});
