/** Every origin of the test world, each with the real random port of its server. */
export interface TestSiteOrigins {
  /** Server session, persistent HttpOnly cookie (Max-Age). */
  bank: string;
  /** Server session, session-only cookie (no Expires/Max-Age). */
  mail: string;
  /** Server session, `__Host-` prefixed cookie. */
  shop: string;
  /** Server session, `SameSite=Strict` cookie. */
  admin: string;
  /** SSO identity provider, and two apps that sign in through it. */
  sso: string;
  app1: string;
  app2: string;
  /** Token in localStorage. */
  notes: string;
  /** Token in sessionStorage. */
  chat: string;
  /** Token in IndexedDB (versioned schema, indexes, typed values). */
  docs: string;
  /** First party that embeds `widget` (partitioned CHIPS cookie + partitioned localStorage). */
  news: string;
  widget: string;
  /** A PWA whose service worker serves the signed-in account page from Cache Storage, offline too. */
  pwa: string;
  /** Token in a file of the origin private file system (OPFS). */
  vault: string;
  /** Signs a server challenge with a non-extractable CryptoKey kept in IndexedDB. */
  signer: string;
  /** Plain HTTP on a non-default port: cookie + localStorage. */
  legacy: string;
}

export type SiteId = keyof TestSiteOrigins;

/** One "am I still logged in?" question and the answer a logged-in browser must give. */
export interface SiteCheck {
  id: string;
  kind: string;
  /** The page whose `data-status` answers. */
  url: string;
  expected: { loggedIn: boolean; user?: string };
}

/** The user each site is signed in as (the SSO apps share the SSO user). */
export function testUserOf(site: SiteId): string {
  return site === "app1" || site === "app2" ? "alice@sso" : `alice@${site}`;
}

/** Every check a browser logged in by `logInToEverySite` passes, one per kind of state. */
export function siteChecks(origins: TestSiteOrigins): SiteCheck[] {
  const loggedIn = (id: SiteId, kind: string, path = "/account"): SiteCheck => ({
    id,
    kind,
    url: `${origins[id]}${path}`,
    expected: { loggedIn: true, user: testUserOf(id) },
  });
  return [
    loggedIn("bank", "server session, persistent HttpOnly cookie (Max-Age)"),
    loggedIn("mail", "server session, session-only cookie"),
    loggedIn("shop", "server session, __Host- prefixed cookie"),
    loggedIn("admin", "server session, SameSite=Strict cookie"),
    loggedIn("sso", "SSO provider session cookie"),
    loggedIn("app1", "app signed in through SSO, its own cookie"),
    loggedIn("app2", "second app signed in through SSO, its own cookie"),
    loggedIn("notes", "token in localStorage"),
    loggedIn("chat", "token in sessionStorage"),
    loggedIn("docs", "token in IndexedDB (schema v3, indexes, Date/Uint8Array)"),
    {
      ...loggedIn("widget", "third-party iframe: partitioned CHIPS cookie + partitioned localStorage", "/"),
      id: "news",
      url: `${origins.news}/`,
    },
    {
      id: "widget-top-level",
      kind: "the widget opened top-level must NOT see its partitioned state",
      url: `${origins.widget}/embed`,
      expected: { loggedIn: false },
    },
    loggedIn("legacy", "plain HTTP on a non-default port: cookie + localStorage"),
  ];
}
