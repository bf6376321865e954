import type { IncomingMessage, ServerResponse } from "node:http";

/** One parsed request as a site handler sees it. */
export interface SiteRequest {
  method: string;
  host: string;
  url: URL;
  cookies: ReadonlyMap<string, string>;
  headers: IncomingMessage["headers"];
  /** The `application/x-www-form-urlencoded` body of a POST, empty otherwise. */
  form: URLSearchParams;
  /** The parsed body of an `application/json` POST. */
  json?: unknown;
}

export type SiteHandler = (request: SiteRequest, response: ServerResponse) => void;

const maxFormBytes = 64 * 1024;

export async function readSiteRequest(
  message: IncomingMessage,
  scheme: "http" | "https",
): Promise<SiteRequest> {
  const host = (message.headers.host ?? "").toLowerCase();
  const url = new URL(message.url ?? "/", `${scheme}://${host || "invalid.test"}`);
  const body = message.method === "POST" ? await readBody(message) : "";
  const isJson = message.headers["content-type"]?.startsWith("application/json") === true;
  return {
    method: message.method ?? "GET",
    host: url.hostname,
    url,
    cookies: parseCookieHeader(message.headers.cookie),
    headers: message.headers,
    form: isJson ? new URLSearchParams() : new URLSearchParams(body),
    ...(isJson ? { json: JSON.parse(body) as unknown } : {}),
  };
}

async function readBody(message: IncomingMessage): Promise<string> {
  let body = "";
  for await (const chunk of message) {
    body += chunk;
    if (body.length > maxFormBytes) throw new Error("form body too large");
  }
  return body;
}

function parseCookieHeader(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) cookies.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return cookies;
}

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A JSON value safe to embed in an inline `<script>`. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * A complete page. The data: favicon keeps Chromium from requesting
 * /favicon.ico, so request counts only show what pages asked for.
 */
export function page(title: string, body: string, bodyAttributes = ""): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title><link rel="icon" href="data:,"></head><body ${bodyAttributes}>${body}</body></html>`;
}

export function sendHtml(
  response: ServerResponse,
  html: string,
  { status = 200, cookies = [] }: { status?: number; cookies?: string[] } = {},
): void {
  response.writeHead(status, {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    ...(cookies.length > 0 ? { "set-cookie": cookies } : {}),
  });
  response.end(html);
}

export function sendJson(response: ServerResponse, value: unknown, status = 200): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  response.end(JSON.stringify(value));
}

/** 303 See Other: after a form POST the browser follows with a GET. */
export function redirect(response: ServerResponse, location: string, cookies: string[] = []): void {
  response.writeHead(303, {
    location,
    "cache-control": "no-store",
    ...(cookies.length > 0 ? { "set-cookie": cookies } : {}),
  });
  response.end();
}

export function notFound(response: ServerResponse): void {
  sendHtml(response, page("Not found", "<h1>Not found</h1>"), { status: 404 });
}
