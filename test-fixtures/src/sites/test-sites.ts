import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { makeTestCertificates } from "../tls/certificates.js";
import type { TestSiteOrigins } from "./catalogue.js";
import { cookieSessionSite } from "./cookie-session-site.js";
import { notFound, readSiteRequest, type SiteHandler } from "./http.js";
import { legacySite } from "./legacy.js";
import { partitionedSites } from "./partitioned.js";
import { ssoSites } from "./sso.js";
import { offlinePwaSite, signingKeySite } from "./storage-snapshot-sites.js";
import { indexedDbTokenSite, opfsTokenSite, webStorageTokenSite } from "./token-sites.js";

/** One request that reached a test server (no cookies, bodies or tokens: those are secrets in the tests). */
export interface SiteHit {
  scheme: "http" | "https";
  host: string;
  path: string;
  method: string;
}

export interface TestSites {
  origins: TestSiteOrigins;
  /** The `--host-resolver-rules` value: every `*.test` host to 127.0.0.1 (ports stay in the origins). */
  hostResolverRules: string;
  /** Chromium arguments that make the test world reachable: host mapping, trust of the self-signed cert. */
  chromiumArgs: string[];
  /** PEM of the throwaway CA that signed the HTTPS certificate (for clients other than Chromium). */
  caCert: string;
  /** How many requests reached the servers since start or the last `reset()`, optionally only for a host and/or path. */
  hits(filter?: { host?: string; path?: string }): number;
  /** The requests counted by `hits`, in order. */
  requests(): SiteHit[];
  reset(): void;
  stop(): Promise<void>;
}

const httpsHosts = [
  "bank",
  "mail",
  "shop",
  "admin",
  "sso",
  "app1",
  "app2",
  "notes",
  "chat",
  "docs",
  "news",
  "widget",
  "pwa",
  "vault",
  "signer",
] as const;
const minute = 60;
const month = 30 * 24 * 3600;

/**
 * Starts the test world: one HTTPS server (certificate made now, for every
 * `*.test` host) and one plain-HTTP server, both on random 127.0.0.1 ports,
 * serving a site per Host header. Chromium reaches them with `chromiumArgs`.
 */
export async function startTestSites(): Promise<TestSites> {
  const { caCert, cert, key } = await makeTestCertificates(httpsHosts.map((name) => `${name}.test`));
  const log: SiteHit[] = [];
  const routes = new Map<string, SiteHandler>();
  const serve = (scheme: "http" | "https") => (message: IncomingMessage, response: ServerResponse) => {
    readSiteRequest(message, scheme).then(
      (request) => {
        log.push({ scheme, host: request.host, path: request.url.pathname, method: request.method });
        (routes.get(`${scheme}://${request.host}`) ?? ((_, r) => notFound(r)))(request, response);
      },
      () => {
        response.writeHead(400).end();
      },
    );
  };
  const https = createHttpsServer({ key, cert }, serve("https"));
  const http = createHttpServer(serve("http"));
  const [httpsPort, httpPort] = await Promise.all([listen(https), listen(http)]);

  const secure = (name: string) => `https://${name}.test:${httpsPort}`;
  const origins: TestSiteOrigins = {
    ...(Object.fromEntries(httpsHosts.map((name) => [name, secure(name)])) as Omit<
      TestSiteOrigins,
      "legacy"
    >),
    legacy: `http://legacy.test:${httpPort}`,
  };
  const sso = ssoSites({ sso: origins.sso, apps: { app1: origins.app1, app2: origins.app2 } });
  const partitioned = partitionedSites(origins);
  const handlers: Record<keyof TestSiteOrigins, SiteHandler> = {
    bank: cookieSessionSite({
      title: "Bank",
      cookieName: "bank_session",
      cookieAttributes: `Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${month}`,
    }),
    mail: cookieSessionSite({
      title: "Mail",
      cookieName: "mail_session",
      cookieAttributes: "Path=/; Secure; HttpOnly; SameSite=Lax",
    }),
    shop: cookieSessionSite({
      title: "Shop",
      cookieName: "__Host-shop_session",
      cookieAttributes: `Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${month}`,
    }),
    admin: cookieSessionSite({
      title: "Admin",
      cookieName: "admin_session",
      cookieAttributes: `Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=${60 * minute}`,
    }),
    sso: sso.provider,
    app1: sso.apps.app1 as SiteHandler,
    app2: sso.apps.app2 as SiteHandler,
    notes: webStorageTokenSite("Notes", "localStorage", "notes_token"),
    chat: webStorageTokenSite("Chat", "sessionStorage", "chat_token"),
    docs: indexedDbTokenSite("Docs"),
    news: partitioned.news,
    widget: partitioned.widget,
    legacy: legacySite(),
    pwa: offlinePwaSite("PWA"),
    vault: opfsTokenSite("Vault"),
    signer: signingKeySite("Signer"),
  };
  for (const [name, handler] of Object.entries(handlers)) {
    const origin = new URL(origins[name as keyof TestSiteOrigins]);
    routes.set(`${origin.protocol.slice(0, -1)}://${origin.hostname}`, handler);
  }

  const hostResolverRules = "MAP *.test 127.0.0.1";
  return {
    origins,
    hostResolverRules,
    chromiumArgs: [`--host-resolver-rules=${hostResolverRules}`, "--ignore-certificate-errors"],
    caCert,
    hits: ({ host, path } = {}) =>
      log.filter(
        (hit) => (host === undefined || hit.host === host) && (path === undefined || hit.path === path),
      ).length,
    requests: () => [...log],
    reset: () => {
      log.length = 0;
    },
    stop: async () => {
      await Promise.all([close(https), close(http)]);
    },
  };
}

function listen(server: Server | HttpsServer): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

function close(server: Server | HttpsServer): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
