import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProxy, toLaunchPlan } from "../src/index.js";

// A real Chromium given only the plan's flags must send its traffic, loopback
// included, through the proxy the plan names.
const chromePath = process.env.CHROME_PATH ?? "/usr/bin/chromium";

let proxyServer: Server;
let proxyPort: number;
const seenByProxy: string[] = [];
const children = new Set<ChildProcess>();
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(chromePath)) throw new Error(`Chromium not found at ${chromePath}; set CHROME_PATH`);
  // A forward HTTP proxy that answers every absolute-form request itself.
  proxyServer = createServer((request, response) => {
    seenByProxy.push(request.url ?? "");
    const host = new URL(request.url ?? "http://unknown/").host;
    response.writeHead(200, { "content-type": "text/html" });
    response.end(`<html><body><p id="via">proxied:${host}</p><link rel="icon" href="data:,"></body></html>`);
  });
  proxyServer.on("connect", (request, socket) => {
    seenByProxy.push(`CONNECT ${request.url}`);
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  await new Promise<void>((resolve) => proxyServer.listen(0, "127.0.0.1", resolve));
  proxyPort = (proxyServer.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await new Promise<void>((resolve) => proxyServer.close(() => resolve()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dumpDomThroughPlan(url: string): Promise<string> {
  const parsed = parseProxy({ source: "custom", type: "http", host: "127.0.0.1", port: String(proxyPort) });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const plan = await toLaunchPlan(parsed.value);
  if (!plan.ok || plan.value.level !== "chrome") throw new Error("expected a chrome-level plan");
  const userDataDir = await mkdtemp(join(tmpdir(), "proxy-config-chromium-"));
  dirs.push(userDataDir);
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    `--user-data-dir=${userDataDir}`,
    ...plan.value.chromeArgs,
    "--dump-dom",
    url,
  ];
  const child = spawn(chromePath, args, { stdio: ["ignore", "pipe", "ignore"] });
  children.add(child);
  let stdout = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString("utf8");
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await new Promise<void>((resolve) => child.on("exit", () => resolve()));
  clearTimeout(timer);
  children.delete(child);
  return stdout;
}

async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

describe("a chrome-level plan drives a real Chromium", () => {
  it("routes a page load through the proxy", async () => {
    const dom = await dumpDomThroughPlan("http://site.test/page");
    expect(dom).toContain("proxied:site.test");
    expect(seenByProxy).toContain("http://site.test/page");
  }, 40_000);

  it("routes loopback through the proxy too (<-loopback>)", async () => {
    // Nothing listens on this port any more: only the proxy can answer.
    const port = await closedPort();
    const dom = await dumpDomThroughPlan(`http://127.0.0.1:${port}/local`);
    expect(dom).toContain(`proxied:127.0.0.1:${port}`);
    expect(seenByProxy).toContain(`http://127.0.0.1:${port}/local`);
  }, 40_000);
});
