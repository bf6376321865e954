import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import {
  type LaunchPlan,
  type ManagedProxy,
  type ProxyConfig,
  ProxyCredentials,
  parseProxy,
  toLaunchPlan,
} from "../src/index.js";

const webRtc = "--force-webrtc-ip-handling-policy=disable_non_proxied_udp";
const bypass = "--proxy-bypass-list=<-loopback>";
const password = "pa55-W0RD-xyz";

function proxy(input: unknown): ProxyConfig {
  const parsed = parseProxy(input);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.value;
}

async function plan(
  input: unknown,
  resolve?: (request: { country: string }) => Promise<ManagedProxy>,
): Promise<LaunchPlan> {
  const result = await toLaunchPlan(
    proxy(input),
    resolve === undefined ? {} : { resolveManagedProxy: resolve },
  );
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

const custom = { source: "custom", type: "http", host: "proxy.example.com", port: "3128" } as const;

describe("toLaunchPlan for custom proxies", () => {
  it.each([
    [
      "http, no credentials",
      custom,
      "chrome",
      ["--proxy-server=http://proxy.example.com:3128", bypass, webRtc],
      "http://proxy.example.com:3128",
    ],
    [
      "socks, no credentials",
      { ...custom, type: "socks", port: "1080" },
      "chrome",
      ["--proxy-server=socks5://proxy.example.com:1080", bypass, webRtc],
      "socks5://proxy.example.com:1080",
    ],
    [
      "IPv6 host is bracketed in URLs",
      { ...custom, host: "2001:db8::1" },
      "chrome",
      ["--proxy-server=http://[2001:db8::1]:3128", bypass, webRtc],
      "http://[2001:db8::1]:3128",
    ],
    [
      "http at system level: no Chrome flags",
      { ...custom, level: "system" },
      "system",
      [],
      "http://proxy.example.com:3128",
    ],
    [
      "socks with credentials: system by default",
      { ...custom, type: "socks", username: "u", password },
      "system",
      [],
      "socks5://proxy.example.com:3128",
    ],
  ])("%s", async (_name, input, level, chromeArgs, url) => {
    const result = await plan(input);
    expect(result.level).toBe(level);
    expect(result.chromeArgs).toEqual(chromeArgs);
    expect(result.proxy.url).toBe(url);
    expect(result.source).toBe("custom");
  });

  it("carries credentials for Fetch.authRequired, readable only on purpose", async () => {
    const result = await plan({ ...custom, username: "alice", password });
    expect(result.level).toBe("chrome");
    expect(result.credentials).toBeInstanceOf(ProxyCredentials);
    expect(result.credentials?.username).toBe("alice");
    expect(result.credentials?.password).toBe(password);
  });

  it("never prints the password: JSON, inspect, templates, spread, keys", async () => {
    const result = await plan({ ...custom, username: "alice", password });
    const json = JSON.stringify(result);
    expect(json).not.toContain(password);
    expect(JSON.parse(json).credentials).toEqual({ username: "alice", password: "[redacted]" });
    expect(inspect(result, { depth: 10, showHidden: true })).not.toContain(password);
    expect(`${result.credentials}`).not.toContain(password);
    expect(JSON.stringify({ ...result.credentials })).not.toContain(password);
    expect(Object.keys(result.credentials ?? {})).toEqual(["username"]);
  });

  it("has no credentials field without a username", async () => {
    expect("credentials" in (await plan(custom))).toBe(false);
  });
});

describe("toLaunchPlan for WebRun proxies", () => {
  const pooled = (answer: ManagedProxy) => vi.fn(async (_request: { country: string }) => answer);

  it("asks the pool for the normalised country and plans its answer like a custom proxy", async () => {
    const resolve = pooled({
      type: "http",
      host: "RES-1.pool.example",
      port: 8000,
      username: "cust-1",
      password,
    });
    const result = await plan({ source: "WebRun", country: "de" }, resolve);
    expect(resolve).toHaveBeenCalledWith({ country: "DE" });
    expect(result).toMatchObject({
      source: "WebRun",
      level: "chrome",
      levelSource: "default",
      proxy: {
        type: "http",
        host: "res-1.pool.example",
        port: "8000",
        url: "http://res-1.pool.example:8000",
      },
      chromeArgs: ["--proxy-server=http://res-1.pool.example:8000", bypass, webRtc],
    });
    expect(result.credentials?.password).toBe(password);
    expect(JSON.stringify(result)).not.toContain(password);
  });

  it("moves a default level to system when the pool answers SOCKS with credentials", async () => {
    const result = await plan(
      { source: "WebRun", country: "random" },
      pooled({ type: "socks", host: "10.1.2.3", port: "1080", username: "u", password }),
    );
    expect(result).toMatchObject({ level: "system", levelSource: "default", chromeArgs: [] });
  });

  it("keeps a given system level", async () => {
    const result = await plan(
      { source: "WebRun", country: "US", level: "system" },
      pooled({ type: "http", host: "10.1.2.3", port: "80" }),
    );
    expect(result).toMatchObject({
      level: "system",
      levelSource: "given",
      proxy: { url: "http://10.1.2.3:80" },
    });
  });

  it("refuses a given chrome level the pool's SOCKS-with-credentials answer cannot honour", async () => {
    const result = await toLaunchPlan(proxy({ source: "WebRun", country: "US", level: "chrome" }), {
      resolveManagedProxy: pooled({ type: "socks", host: "10.1.2.3", port: "1080", username: "u", password }),
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: "proxy.level",
          message:
            "level chrome cannot work with the WebRun pool's proxy, a SOCKS proxy with credentials (Chrome has no SOCKS authentication); use level system",
        },
      ],
    });
  });

  it("refuses an invalid pool answer without echoing its password", async () => {
    const result = await toLaunchPlan(proxy({ source: "WebRun", country: "US" }), {
      resolveManagedProxy: pooled({ type: "http", host: "http://10.1.2.3", port: "0", password }),
    });
    expect(result).toEqual({
      ok: false,
      errors: [
        {
          path: "proxy",
          message:
            "the WebRun pool gave an invalid proxy: host must not include a scheme (such as http://); give the protocol as type",
        },
        {
          path: "proxy",
          message: "the WebRun pool gave an invalid proxy: port must be a number from 1 to 65535",
        },
      ],
    });
  });

  it("passes the pool's own failure through", async () => {
    const failure = new Error("pool unavailable");
    await expect(
      toLaunchPlan(proxy({ source: "WebRun", country: "US" }), {
        resolveManagedProxy: () => Promise.reject(failure),
      }),
    ).rejects.toBe(failure);
  });

  it("is a programming error without a resolver", async () => {
    await expect(toLaunchPlan(proxy({ source: "WebRun", country: "US" }))).rejects.toThrow(
      "toLaunchPlan: a WebRun proxy needs options.resolveManagedProxy",
    );
  });
});
