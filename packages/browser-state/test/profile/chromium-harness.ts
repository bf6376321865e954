/**
 * Helpers for the profile-format tests: the test Chromium of
 * @webrun/test-fixtures with target helpers (not the product launcher: these
 * tests prove the on-disk formats against the real browser and must not
 * depend on it), and a local web site.
 */
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  chromiumTestTimeoutMs,
  killAllTestChromiums,
  launchTestChromium as launchFixtureChromium,
} from "@webrun/test-fixtures";
import CDP from "chrome-remote-interface";

export { chromiumTestTimeoutMs, killAllTestChromiums };

export interface TestBrowser {
  port: number;
  userDataDir: string;
  /** Opens a CDP client on a target picked from the target list. */
  attach(pick: (target: CDP.Target) => boolean): Promise<CDP.Client>;
  /** Waits until a target matching `pick` exists, and returns it. */
  waitForTarget(pick: (target: CDP.Target) => boolean, timeoutMs?: number): Promise<CDP.Target>;
  /** `Browser.close` (flushes the profile), wait for all its processes; SIGKILL if it hangs. */
  close(): Promise<void>;
}

/** Launches headless Chromium on a profile folder, with `*.test` mapped to 127.0.0.1. */
export async function launchTestChromium(
  userDataDir: string,
  extraArgs: readonly string[] = [],
): Promise<TestBrowser> {
  const browser = await launchFixtureChromium(userDataDir, [
    "--host-resolver-rules=MAP *.test 127.0.0.1",
    ...extraArgs,
  ]);
  const { port } = browser;
  const waitForTarget = async (pick: (target: CDP.Target) => boolean, timeoutMs = 10_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await CDP.List({ port })).find(pick);
      if (found) return found;
      if (Date.now() > deadline) throw new Error("target did not appear");
      await sleep(50);
    }
  };
  return {
    port,
    userDataDir,
    waitForTarget,
    attach: async (pick) => CDP({ port, target: (await waitForTarget(pick)).webSocketDebuggerUrl }),
    close: browser.close,
  };
}

/**
 * A page with a tiny same-origin helper: `/` is an empty document; `/frame`
 * answers `postMessage` requests from its parent — `{op:"dump"}` returns its
 * storage entries, `{op:"set", entries}` stores them first (`area` picks
 * localStorage, the default, or sessionStorage) — so tests can
 * reach third-party (partitioned) storage without attaching to the iframe.
 * `/set-cookies` also sets an HttpOnly session cookie `sid` and a
 * persistent SameSite=Strict cookie `pref`.
 */
const framePage = `<!doctype html><link rel="icon" href="data:,"><script>
addEventListener("message", (event) => {
  const request = event.data;
  const area = request.area === "sessionStorage" ? sessionStorage : localStorage;
  if (request.op === "set") for (const [k, v] of request.entries) area.setItem(k, v);
  const entries = [];
  for (let i = 0; i < area.length; i++) { const k = area.key(i); entries.push([k, area.getItem(k)]); }
  event.source.postMessage({ entries }, "*");
});
</script>`;

export interface TestSite {
  port: number;
  url(host: string, pathname?: string): string;
  close(): Promise<void>;
}

export async function startTestSite(): Promise<TestSite> {
  const server = http.createServer((request, response) => {
    response.setHeader("content-type", "text/html; charset=utf-8");
    if (request.url?.startsWith("/set-cookies")) {
      response.setHeader("set-cookie", [
        "sid=server-secret; Path=/; HttpOnly",
        "pref=dark; Path=/; Max-Age=3600; SameSite=Strict",
      ]);
    }
    response.end(
      request.url?.startsWith("/frame") ? framePage : `<!doctype html><link rel="icon" href="data:,">`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (host, pathname = "/") => `http://${host}:${port}${pathname}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A page session with navigate and evaluate. */
export interface TestPage {
  navigate(url: string): Promise<void>;
  evaluate<T>(expression: string): Promise<T>;
  /** The entries an iframe from `frameUrl` sees in its storage, after storing `set`. */
  frameStorage(
    frameUrl: string,
    set?: readonly [string, string][],
    area?: "localStorage" | "sessionStorage",
  ): Promise<[string, string][]>;
  close(): Promise<void>;
}

/** Attaches to the first page, or with `newTab` to a new tab of its own. */
export async function openPage(browser: TestBrowser, options: { newTab?: boolean } = {}): Promise<TestPage> {
  const tab = options.newTab ? await CDP.New({ port: browser.port, url: "about:blank" }) : undefined;
  const client = await browser.attach(
    (target) => target.type === "page" && (tab === undefined || target.id === tab.id),
  );
  await client.Page.enable();
  const evaluate = async <T>(expression: string): Promise<T> => {
    const { result, exceptionDetails } = await client.Runtime.evaluate({
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails) throw new Error(`page script failed: ${exceptionDetails.exception?.description}`);
    return result.value as T;
  };
  return {
    evaluate,
    navigate: async (url) => {
      const loaded = client.Page.loadEventFired();
      await client.Page.navigate({ url });
      await loaded;
    },
    frameStorage: async (frameUrl, set = [], area = "localStorage") => {
      // JSON keeps lone surrogates as \\uXXXX escapes, so the round trip is exact.
      const json = await evaluate<string>(`new Promise((resolve) => {
        const frame = document.createElement("iframe");
        frame.src = ${JSON.stringify(frameUrl)};
        addEventListener("message", (event) => { frame.remove(); resolve(JSON.stringify(event.data.entries)); }, { once: true });
        frame.onload = () => frame.contentWindow.postMessage({ op: "set", area: "${area}", entries: ${JSON.stringify(set)} }, "*");
        document.body.append(frame);
      })`);
      return JSON.parse(json) as [string, string][];
    },
    close: () => client.close(),
  };
}

/** Every localStorage entry of the page's origin, read by page script. */
export function pageLocalStorage(page: TestPage): Promise<[string, string][]> {
  return page
    .evaluate<string>(
      `JSON.stringify(Array.from({ length: localStorage.length }, (_, i) => [localStorage.key(i), localStorage.getItem(localStorage.key(i))]))`,
    )
    .then((json) => JSON.parse(json) as [string, string][]);
}

export async function freshProfileDir(): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), "webrun-profile-test-"));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Sorts entries by key code units, for order-independent comparison. */
export function sortEntries(entries: readonly (readonly [string, string])[]): [string, string][] {
  return [...entries]
    .map(([k, v]) => [k, v] as [string, string])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
