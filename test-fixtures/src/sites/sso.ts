import { authenticate, Grants, loginForm } from "./accounts.js";
import { escapeHtml, notFound, page, redirect, type SiteHandler, sendHtml } from "./http.js";
import { type SiteStatus, statusAttributes } from "./status.js";

const month = 30 * 24 * 3600;

/** The identity provider and its relying apps, by client id (the app's origin is its only allowed redirect). */
export interface SsoOrigins {
  sso: string;
  apps: Record<string, string>;
}

/**
 * Single sign-on across sites: `sso` keeps its own session cookie; an app's
 * "Sign in with SSO" goes to /authorize, which redirects back with a one-time
 * code when the SSO session is valid; the app's server redeems the code and
 * sets the app's own session cookie. After a restore, each app must be signed
 * in by its own cookie, and a new app sign-in must still pass without a password.
 */
export function ssoSites(origins: SsoOrigins): { provider: SiteHandler; apps: Record<string, SiteHandler> } {
  const ssoSessions = new Grants();
  const codes = new Grants();
  const provider: SiteHandler = (request, response) => {
    const path = request.url.pathname;
    const user = ssoSessions.userOf(request.cookies.get("sso_session"));
    if (path === "/login" && request.method === "GET") {
      const back = request.url.searchParams.get("return") ?? "/account";
      sendHtml(
        response,
        page("SSO: sign in", `<h1>Single sign-on</h1>${loginForm("/login", { return: back })}`),
      );
    } else if (path === "/login" && request.method === "POST") {
      const signedIn = authenticate(request.form);
      if (signedIn === undefined) {
        sendHtml(response, page("Sign-in failed", "<h1>Wrong user or password</h1>"), { status: 401 });
        return;
      }
      const cookie = `sso_session=${ssoSessions.issue(signedIn)}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${month}`;
      redirect(response, safeReturn(request.form.get("return"), origins.sso), [cookie]);
    } else if (path === "/authorize") {
      const client = request.url.searchParams.get("client") ?? "";
      const appOrigin = origins.apps[client];
      if (appOrigin === undefined) {
        sendHtml(response, page("SSO", "<h1>Unknown client</h1>"), { status: 400 });
      } else if (user === undefined) {
        redirect(response, `/login?return=${encodeURIComponent(request.url.pathname + request.url.search)}`);
      } else {
        redirect(response, `${appOrigin}/callback?code=${codes.issue(`${client}:${user}`)}`);
      }
    } else if (path === "/account" || path === "/") {
      sendHtml(response, statusPage("SSO", user, "sso_session"));
    } else {
      notFound(response);
    }
  };

  const apps: Record<string, SiteHandler> = {};
  for (const client of Object.keys(origins.apps)) {
    const sessions = new Grants();
    const cookieName = `${client}_session`;
    apps[client] = (request, response) => {
      const path = request.url.pathname;
      if (path === "/login") {
        const authorize = `${origins.sso}/authorize?client=${client}`;
        sendHtml(
          response,
          page(
            `${client}: sign in`,
            `<h1>${client}</h1><a id="sso" href="${escapeHtml(authorize)}">Sign in with SSO</a>`,
          ),
        );
      } else if (path === "/callback") {
        const grant = codes.redeem(request.url.searchParams.get("code") ?? undefined);
        const prefix = `${client}:`;
        if (grant?.startsWith(prefix) !== true) {
          sendHtml(response, page("SSO", "<h1>Invalid code</h1>"), { status: 400 });
          return;
        }
        const cookie = `${cookieName}=${sessions.issue(grant.slice(prefix.length))}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${month}`;
        redirect(response, "/account", [cookie]);
      } else if (path === "/account" || path === "/") {
        sendHtml(response, statusPage(client, sessions.userOf(request.cookies.get(cookieName)), cookieName));
      } else {
        notFound(response);
      }
    };
  }
  return { provider, apps };
}

function statusPage(title: string, user: string | undefined, cookieName: string): string {
  const status: SiteStatus =
    user !== undefined ? { loggedIn: true, user } : { loggedIn: false, detail: `no valid ${cookieName}` };
  const text = user !== undefined ? `Signed in as ${escapeHtml(user)}` : "Not signed in";
  return page(title, `<h1>${escapeHtml(title)}</h1><p id="who">${text}</p>`, statusAttributes(status));
}

/** Only same-site relative paths may be returned to, never another origin. */
function safeReturn(value: string | null, origin: string): string {
  return value?.startsWith("/") && !value.startsWith("//") ? `${origin}${value}` : `${origin}/account`;
}
