import { ProxyCredentials } from "./credentials.js";
import { decideLevel, type LevelSource } from "./level-rules.js";
import { type CustomProxyConfig, type ProxyConfig, parseProxy } from "./proxy-schema.js";
import type { ParseResult } from "./result.js";

/** What the managed pool returns for a WebRun proxy. */
export interface ManagedProxy {
  type: "http" | "socks";
  host: string;
  port: string | number;
  username?: string;
  password?: string;
}

/** Looks a proxy up in the WebRun residential pool; provided by the caller (the orchestrator). */
export type ResolveManagedProxy = (request: { country: string }) => Promise<ManagedProxy>;

export interface LaunchPlanOptions {
  /** Required when the proxy's source is `WebRun`. */
  resolveManagedProxy?: ResolveManagedProxy;
}

/** The proxy server a plan points at. `url` is the form Chromium and most tools take. */
export interface ProxyEndpoint {
  type: "http" | "socks";
  host: string;
  port: string;
  /** `http://host:port` or `socks5://host:port`, IPv6 in brackets. */
  url: string;
}

interface PlanBase {
  source: "WebRun" | "custom";
  levelSource: LevelSource;
  proxy: ProxyEndpoint;
  /** Present when the proxy needs authentication; its password never serialises (see ProxyCredentials). */
  credentials?: ProxyCredentials;
}

/**
 * Chrome speaks to the proxy. Launch Chromium with `chromeArgs`; when
 * `credentials` is set, enable `Fetch` with `handleAuthRequests: true` and
 * answer `Fetch.authRequired` (source `Proxy`) with them.
 */
export interface ChromeLaunchPlan extends PlanBase {
  level: "chrome";
  chromeArgs: string[];
}

/**
 * The machine speaks to the proxy: configure `proxy` (with `credentials`) as
 * the system-wide proxy before Chromium starts, and launch Chromium without
 * proxy flags. Blocking traffic that bypasses it (UDP included) is the system
 * configuration's job; that is what makes this level leak-free.
 */
export interface SystemLaunchPlan extends PlanBase {
  level: "system";
  chromeArgs: [];
}

/** What a launcher needs to apply a proxy. */
export type LaunchPlan = ChromeLaunchPlan | SystemLaunchPlan;

/**
 * Every request goes through the proxy, loopback included. Chromium bypasses
 * loopback by default; `<-loopback>` removes that exception so a page cannot
 * reach services listening on the browser machine itself (the CDP port,
 * agents) and the session's network identity stays the proxy's.
 */
export const proxyBypassList = "<-loopback>";

/** Closes the WebRTC leak at chrome level: UDP that cannot go through the proxy is not sent. */
export const webRtcPolicyArg = "--force-webrtc-ip-handling-policy=disable_non_proxied_udp";

/**
 * Compiles a validated proxy into a launch plan. A WebRun proxy is first
 * resolved through `resolveManagedProxy`; the pool's answer is validated like
 * a custom proxy and the level rules apply to it (a default level may move to
 * `system`; a given `chrome` level that cannot work is an error at
 * `proxy.level`). Errors of the pool lookup itself propagate unchanged.
 */
export async function toLaunchPlan(
  proxy: ProxyConfig,
  options: LaunchPlanOptions = {},
): Promise<ParseResult<LaunchPlan>> {
  if (proxy.source === "custom") return { ok: true, value: planFor(proxy, "custom") };
  if (options.resolveManagedProxy === undefined) {
    throw new TypeError("toLaunchPlan: a WebRun proxy needs options.resolveManagedProxy");
  }
  const managed = await options.resolveManagedProxy({ country: proxy.country });
  // Validated like a custom proxy (without a level) so a bad pool answer cannot produce bad flags.
  const resolved = parseProxy({
    source: "custom",
    type: managed.type,
    host: managed.host,
    port: managed.port,
    ...(managed.username === undefined ? {} : { username: managed.username }),
    ...(managed.password === undefined ? {} : { password: managed.password }),
  });
  if (!resolved.ok) {
    const errors = resolved.errors.map((error) => ({
      path: "proxy",
      message: `the WebRun pool gave an invalid proxy: ${error.message}`,
    }));
    return { ok: false, errors };
  }
  const pooled = resolved.value as CustomProxyConfig;
  const given = proxy.levelSource === "given" ? proxy.level : undefined;
  const decision = decideLevel(
    { source: "WebRun", type: pooled.type, hasCredentials: pooled.username !== undefined },
    given,
  );
  if (!decision.ok) {
    const message = `level chrome cannot work with the WebRun pool's proxy, a ${decision.rule.description} (${decision.rule.reason}); use level system`;
    return { ok: false, errors: [{ path: "proxy.level", message }] };
  }
  return {
    ok: true,
    value: planFor({ ...pooled, level: decision.level, levelSource: decision.levelSource }, "WebRun"),
  };
}

function planFor(proxy: CustomProxyConfig, source: "WebRun" | "custom"): LaunchPlan {
  const endpoint = endpointOf(proxy);
  const base = {
    source,
    levelSource: proxy.levelSource,
    proxy: endpoint,
    ...(proxy.username === undefined
      ? {}
      : { credentials: new ProxyCredentials(proxy.username, proxy.password) }),
  };
  if (proxy.level === "system") return { ...base, level: "system", chromeArgs: [] };
  return {
    ...base,
    level: "chrome",
    chromeArgs: [`--proxy-server=${endpoint.url}`, `--proxy-bypass-list=${proxyBypassList}`, webRtcPolicyArg],
  };
}

function endpointOf(proxy: CustomProxyConfig): ProxyEndpoint {
  const host = proxy.host.includes(":") ? `[${proxy.host}]` : proxy.host;
  const scheme = proxy.type === "socks" ? "socks5" : "http";
  return { type: proxy.type, host: proxy.host, port: proxy.port, url: `${scheme}://${host}:${proxy.port}` };
}
