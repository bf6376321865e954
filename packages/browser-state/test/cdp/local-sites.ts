import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

/** One request the sites received. */
export interface SiteRequest {
  host: string;
  path: string;
  cookie: string;
}

export interface LocalSites {
  port: number;
  /** `https://<host>:<port>` for a `*.test` host. */
  origin(host: string): string;
  /** Every request so far, in order: a capture or seed must not add any. */
  readonly requests: readonly SiteRequest[];
  /** Chromium flags that map `*.test` here and accept the self-signed certificate. */
  chromiumArgs: string[];
  close(): Promise<void>;
}

/** Cookies `/login` on a.test sets: every kind a site uses for a login. */
const loginCookies = [
  "sid=session-1; Path=/; Secure; HttpOnly; SameSite=Lax",
  "remember=persistent-1; Path=/; Max-Age=86400; Secure",
  "__Host-token=host-1; Path=/; Secure; SameSite=Strict",
  "pref=root; Path=/; Max-Age=3600",
  "pref=app; Path=/app; Max-Age=3600",
  "pref=domain; Domain=a.test; Path=/; Max-Age=3600",
];

const page = (body = "") =>
  `<!doctype html><html><head><link rel="icon" href="data:,"></head><body>${body}</body></html>`;

/** The page's first script: signed in only when the token is already in this tab's sessionStorage. */
const msalScript = `<script>document.title = sessionStorage.getItem("msal.idtoken") ? "signed-in" : "signed-out";</script>`;

/**
 * A tiny multi-origin HTTPS site for these tests: any `*.test` host, one
 * port, a certificate made at start. `/login` sets cookies, `/embed?frame=<origin>`
 * embeds `<origin>/frame` (which sets a partitioned CHIPS cookie), `/msal`
 * is signed in (its title says so) only if its first script finds a token in
 * sessionStorage, as MSAL.js keeps it, and every request is recorded with
 * its Cookie header.
 */
export async function startLocalSites(): Promise<LocalSites> {
  const dir = await mkdtemp(path.join(tmpdir(), "webrun-sites-"));
  await promisify(execFile)("openssl", [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    path.join(dir, "key.pem"),
    "-out",
    path.join(dir, "cert.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=a.test",
    "-addext",
    "subjectAltName=DNS:*.test,DNS:a.test,DNS:b.test,DNS:c.test",
  ]);
  const [key, cert] = await Promise.all([
    readFile(path.join(dir, "key.pem")),
    readFile(path.join(dir, "cert.pem")),
  ]);
  await rm(dir, { recursive: true, force: true });
  const requests: SiteRequest[] = [];
  const server = https.createServer({ key, cert }, (req, res) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "");
    const url = new URL(req.url ?? "/", "https://x");
    requests.push({ host, path: url.pathname, cookie: req.headers.cookie ?? "" });
    res.setHeader("Content-Type", "text/html; charset=utf-8");
    if (url.pathname === "/login") res.setHeader("Set-Cookie", loginCookies);
    if (url.pathname === "/frame")
      res.setHeader("Set-Cookie", "chip=partitioned-1; Path=/; Secure; SameSite=None; Partitioned");
    const frame = url.searchParams.get("frame");
    if (url.pathname === "/msal") {
      res.end(page(msalScript));
      return;
    }
    res.end(
      page(url.pathname === "/embed" && frame ? `<iframe src="${frame}/frame"></iframe>` : url.pathname),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    origin: (host) => `https://${host}:${port}`,
    requests,
    chromiumArgs: ["--host-resolver-rules=MAP *.test 127.0.0.1", "--ignore-certificate-errors"],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
