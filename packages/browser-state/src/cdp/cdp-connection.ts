import { WebrunError } from "@webrun/errors";
import CDP from "chrome-remote-interface";
import type { ProtocolMapping } from "devtools-protocol/types/protocol-mapping.js";
import { type BrowserStateErrorCode, browserStateError } from "../errors.js";

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;

/** A CDP command name, e.g. `"Target.createTarget"`. */
export type CdpMethod = keyof Commands;
/** What `method` takes (`{}` for a command without parameters). */
export type CdpParams<M extends CdpMethod> = Commands[M]["paramsType"] extends []
  ? Record<string, never>
  : NonNullable<Commands[M]["paramsType"][0]>;
/** What `method` answers. */
export type CdpResult<M extends CdpMethod> = Commands[M]["returnType"];

/**
 * One CDP event as it arrives on the browser websocket (flattened sessions
 * carry `sessionId`); checking `method` types `params`.
 */
export type CdpEvent = {
  [M in keyof Events]: { method: M; params: Events[M] extends [infer P] ? P : undefined; sessionId?: string };
}[keyof Events];

/**
 * A connection to a Chromium browser endpoint. Every command may target a
 * flattened session (`sessionId`), so one websocket serves the browser and
 * all its pages, iframes and service workers.
 */
export interface CdpConnection {
  /** The browser websocket URL (`ws://…/devtools/browser/<id>`). */
  readonly wsUrl: string;
  /** `Browser.getVersion().product`, e.g. `HeadlessChrome/156.0…`. */
  readonly product: string;
  readonly userAgent: string;
  /** A command, typed by its name (devtools-protocol); `sessionId` targets a flattened session. */
  send<M extends CdpMethod>(method: M, params?: CdpParams<M>, sessionId?: string): Promise<CdpResult<M>>;
  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (event: CdpEvent) => void): () => void;
  /** Resolves (never rejects) when the websocket closes, for whatever reason. */
  readonly closed: Promise<void>;
  readonly isClosed: boolean;
  close(): Promise<void>;
}

const connectTimeoutMs = 3_000;

function endpointError(
  endpoint: string,
  code: BrowserStateErrorCode,
  reason: string,
  cause?: unknown,
): WebrunError {
  return browserStateError({
    kind: code === "CDP_INVALID_ENDPOINT" ? "invalid_input" : "unavailable",
    code,
    message: `CDP endpoint ${redactEndpoint(endpoint)} ${reason}`,
    cause,
  });
}

/** Endpoints may carry tokens in their query or userinfo (hosted browsers do this): never print them. */
export function redactEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = "";
    url.password = "";
    url.search = url.search ? "?…" : "";
    return url.toString().replace(/\/$/, "");
  } catch {
    return "(malformed URL)";
  }
}

async function fetchWithTimeout(url: string, timeoutMs: number): Promise<Response> {
  return await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: "error" });
}

/**
 * Turns `http://host:port` (the DevTools HTTP endpoint) into the browser
 * websocket URL via `/json/version`; a `ws://` URL is used as is. Anything
 * that does not answer like Chromium within the timeout is refused.
 */
export async function resolveBrowserWebSocketUrl(
  endpoint: string,
  timeoutMs = connectTimeoutMs,
): Promise<string> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw endpointError(
      endpoint,
      "CDP_INVALID_ENDPOINT",
      "is not a URL (expected http://host:port or ws://…)",
      error,
    );
  }
  if (url.protocol === "ws:" || url.protocol === "wss:") return endpoint;
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw endpointError(endpoint, "CDP_INVALID_ENDPOINT", "must use http(s):// or ws(s)://");
  }
  const versionUrl = new URL("/json/version", url);
  let response: Response;
  try {
    response = await fetchWithTimeout(versionUrl.toString(), timeoutMs);
  } catch (error) {
    throw endpointError(
      endpoint,
      "CDP_UNREACHABLE",
      `is unreachable (no answer within ${timeoutMs} ms)`,
      error,
    );
  }
  let body: unknown;
  try {
    body = response.ok ? await response.json() : undefined;
  } catch {
    body = undefined;
  }
  const wsUrl = (body as { webSocketDebuggerUrl?: unknown } | undefined)?.webSocketDebuggerUrl;
  if (typeof wsUrl !== "string" || !/^wss?:\/\//.test(wsUrl)) {
    throw endpointError(
      endpoint,
      "CDP_NOT_CHROMIUM",
      "does not look like a Chromium DevTools endpoint (GET /json/version gave no webSocketDebuggerUrl)",
    );
  }
  return wsUrl;
}

/**
 * Connects to a browser-level CDP endpoint (`http://host:port` or
 * `ws://…/devtools/browser/…`). Fails within ~3 s with a message naming the
 * endpoint when nothing answers or the answer is not Chromium.
 */
export async function connectCdp(
  endpoint: string,
  options: { timeoutMs?: number } = {},
): Promise<CdpConnection> {
  const timeoutMs = options.timeoutMs ?? connectTimeoutMs;
  const wsUrl = await resolveBrowserWebSocketUrl(endpoint, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  let client: CDP.Client;
  try {
    client = await Promise.race([
      CDP({ target: wsUrl, local: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
      }),
    ]);
  } catch (error) {
    throw endpointError(
      endpoint,
      "CDP_UNREACHABLE",
      `did not accept a DevTools websocket within ${timeoutMs} ms`,
      error,
    );
  } finally {
    clearTimeout(timer);
  }
  let version: { product: string; userAgent: string };
  try {
    version = (await Promise.race([
      client.send("Browser.getVersion" as never),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), timeoutMs).unref()),
    ])) as { product: string; userAgent: string };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw endpointError(endpoint, "CDP_NOT_CHROMIUM", "is not a browser-level Chromium endpoint", error);
  }
  return wrapClient(client, wsUrl, version);
}

function wrapClient(
  client: CDP.Client,
  wsUrl: string,
  version: { product: string; userAgent: string },
): CdpConnection {
  const listeners = new Set<(event: CdpEvent) => void>();
  let isClosed = false;
  let markClosed = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = () => {
      isClosed = true;
      resolve();
    };
  });
  client.on("disconnect", () => markClosed());
  client.on("event", (message: object) => {
    for (const listener of listeners) listener(message as CdpEvent);
  });
  const rawSend = client.send.bind(client) as (
    method: string,
    params: object,
    sessionId?: string,
  ) => Promise<unknown>;
  return {
    wsUrl,
    product: version.product,
    userAgent: version.userAgent,
    get isClosed() {
      return isClosed;
    },
    closed,
    send: async (method, params = {}, sessionId) => {
      if (isClosed) throw browserGone(method);
      // A command whose browser dies never gets an answer: race it against the close.
      try {
        const result = await Promise.race([
          rawSend(method, params, sessionId),
          closed.then(() => {
            throw browserGone(method);
          }),
        ]);
        return result as CdpResult<typeof method>;
      } catch (error) {
        // A protocol error carries the browser's answer; anything else is the socket failing.
        if (error instanceof Error && "response" in error) throw protocolError(method, error);
        if (error instanceof WebrunError) throw error;
        throw browserGone(method, error);
      }
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      if (isClosed) return;
      await client.close().catch(() => undefined);
      markClosed();
    },
  };
}

function browserGone(method: string, cause?: unknown): WebrunError {
  return browserStateError({
    kind: "unavailable",
    code: "BROWSER_DISCONNECTED",
    message: `the browser connection closed (during ${method})`,
    cause,
  });
}

/** The browser refused a command. Its message names the problem, never parameter values. */
function protocolError(method: string, cause: Error): WebrunError {
  return browserStateError({
    kind: "internal",
    code: "CDP_COMMAND_FAILED",
    message: `${method} failed: ${cause.message.slice(0, 300)}`,
    cause,
  });
}
