import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Socket,
  type Server as TcpServer,
} from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runTestChromium, testChromiumPath } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseProxy, toLaunchPlan } from "../src/index.js";

// A real Chromium given only the plan's flags must send its traffic, loopback
// included, through the proxy the plan names.

let proxyServer: Server;
let proxyPort: number;
let socksServer: TcpServer;
let socksPort: number;
const seenByProxy: string[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(testChromiumPath()))
    throw new Error(`Chromium not found at ${testChromiumPath()}; set CHROME_PATH`);
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
  socksServer = createTcpServer(answerThroughSocks5);
  await new Promise<void>((resolve) => socksServer.listen(0, "127.0.0.1", resolve));
  socksPort = (socksServer.address() as AddressInfo).port;
});

/**
 * A minimal SOCKS5 server (RFC 1928, no authentication, CONNECT only) that
 * answers the tunnelled HTTP request itself, recording the requested target.
 */
function answerThroughSocks5(socket: Socket): void {
  let stage: "greeting" | "request" | "http" = "greeting";
  let target = "";
  socket.on("error", () => socket.destroy());
  socket.on("data", (data: Buffer) => {
    if (stage === "greeting") {
      socket.write(Buffer.from([0x05, 0x00]));
      stage = "request";
    } else if (stage === "request") {
      const addressType = data[3];
      let host: string;
      let offset: number;
      if (addressType === 0x03) {
        const length = data[4] ?? 0;
        host = data.subarray(5, 5 + length).toString("latin1");
        offset = 5 + length;
      } else {
        host = [...data.subarray(4, 8)].join(".");
        offset = 8;
      }
      target = `${host}:${data.readUInt16BE(offset)}`;
      seenByProxy.push(`SOCKS ${target}`);
      socket.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
      stage = "http";
    } else {
      const body = `<html><body><p id="via">socks:${target}</p><link rel="icon" href="data:,"></body></html>`;
      socket.end(
        `HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
      );
    }
  });
}

afterAll(async () => {
  await new Promise<void>((resolve) => proxyServer.close(() => resolve()));
  await new Promise<void>((resolve) => socksServer.close(() => resolve()));
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function dumpDomThroughPlan(url: string, type: "http" | "socks" = "http"): Promise<string> {
  const port = type === "http" ? proxyPort : socksPort;
  const parsed = parseProxy({ source: "custom", type, host: "127.0.0.1", port: String(port) });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const plan = await toLaunchPlan(parsed.value);
  if (!plan.ok || plan.value.level !== "chrome") throw new Error("expected a chrome-level plan");
  const userDataDir = await mkdtemp(join(tmpdir(), "proxy-config-chromium-"));
  dirs.push(userDataDir);
  return runTestChromium(userDataDir, [...plan.value.chromeArgs, "--dump-dom", url], { timeoutMs: 30_000 });
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

  it("speaks SOCKS5 with remote name resolution for a socks proxy", async () => {
    const dom = await dumpDomThroughPlan("http://socks.test/page", "socks");
    expect(dom).toContain("socks:socks.test:80");
    expect(seenByProxy).toContain("SOCKS socks.test:80");
  }, 40_000);

  it("routes loopback through the proxy too (<-loopback>)", async () => {
    // Nothing listens on this port any more: only the proxy can answer.
    const port = await closedPort();
    const dom = await dumpDomThroughPlan(`http://127.0.0.1:${port}/local`);
    expect(dom).toContain(`proxied:127.0.0.1:${port}`);
    expect(seenByProxy).toContain(`http://127.0.0.1:${port}/local`);
  }, 40_000);
});
