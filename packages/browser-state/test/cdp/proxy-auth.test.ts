import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseProxy, toLaunchPlan } from "@webrun/proxy-config";
import { parseBrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCdp, launchChromium, launchSeeded } from "../../src/index.js";
import { openTestTab } from "./page-driver.js";

const username = "proxy-user";
const password = "proxy-PW-secret-9";

let proxy: http.Server;
let port: number;
const seen: { url: string; authorized: boolean }[] = [];

beforeAll(async () => {
  // A forward proxy that wants Basic auth and answers every request itself.
  const expected = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  proxy = http.createServer((req, res) => {
    const authorized = req.headers["proxy-authorization"] === expected;
    seen.push({ url: req.url ?? "", authorized });
    if (!authorized) {
      res.writeHead(407, { "Proxy-Authenticate": 'Basic realm="test"', "Content-Type": "text/plain" });
      res.end("auth needed");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end('<!doctype html><link rel="icon" href="data:,"><p id="p">through the proxy</p>');
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  ({ port } = proxy.address() as AddressInfo);
});

afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
});

async function chromePlan() {
  const parsed = parseProxy({ source: "custom", type: "http", host: "127.0.0.1", port, username, password });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const plan = await toLaunchPlan(parsed.value);
  if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
  return plan.value;
}

describe("a proxy launch plan", () => {
  it("does not disturb seeding: intercepted storage writes reach no proxy, the first page still sees them", async () => {
    const before = seen.length;
    const browser = await launchSeeded(
      parseBrowserState({
        version: 1,
        origins: [{ origin: "http://seeded.example", sessionStorage: [{ name: "s", value: "seeded-ss" }] }],
      }),
      { proxyPlan: await chromePlan() },
    );
    try {
      // Chromium's own update check (update.googleapis.com) may pass by; nothing of the seeded site may.
      expect(seen.slice(before).filter((request) => request.url.includes("seeded.example"))).toEqual([]);
      const connection = await connectCdp(browser.cdpUrl);
      const tab = await openTestTab(connection, browser.pageTargetId);
      await tab.goto("http://seeded.example/");
      expect(await tab.eval(`sessionStorage.getItem("s")`)).toBe("seeded-ss");
      expect(seen.slice(before).map((request) => request.url)).toContain("http://seeded.example/");
      await connection.close();
    } finally {
      await browser.close();
    }
  }, 30_000);

  it("routes pages through the proxy and answers its login challenge over CDP", async () => {
    const parsed = parseProxy({
      source: "custom",
      type: "http",
      host: "127.0.0.1",
      port,
      username,
      password,
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const plan = await toLaunchPlan(parsed.value);
    if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
    const dir = await mkdtemp(path.join(tmpdir(), "webrun-proxy-"));
    const browser = await launchChromium({ userDataDir: dir, proxyPlan: plan.value });
    try {
      const connection = await connectCdp(browser.cdpUrl);
      const tab = await openTestTab(connection);
      await tab.goto("http://site.example/");
      expect(await tab.eval("document.getElementById('p')?.textContent")).toBe("through the proxy");
      // The first try was challenged (407), the retry carried the plan's login.
      expect(
        seen.filter((request) => request.url === "http://site.example/").map((r) => r.authorized),
      ).toEqual([false, true]);
      await connection.close();
    } finally {
      await browser.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
