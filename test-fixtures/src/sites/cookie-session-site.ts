import { Grants } from "./accounts.js";
import { escapeHtml, notFound, page, redirect, type SiteHandler, sendHtml, sendJson } from "./http.js";
import { answerLogin } from "./login-route.js";
import { type SiteStatus, statusAttributes } from "./status.js";

export interface CookieSessionSiteOptions {
  title: string;
  cookieName: string;
  /** Everything after `name=value; `, e.g. `Path=/; Secure; HttpOnly; Max-Age=3600`. */
  cookieAttributes: string;
}

/**
 * A classic server-session site: a form POST to /login sets a session
 * cookie; /account (HTML) and /whoami (JSON) answer from that cookie alone,
 * so "logged in" means the server received a cookie it issued.
 */
export function cookieSessionSite({
  title,
  cookieName,
  cookieAttributes,
}: CookieSessionSiteOptions): SiteHandler {
  const sessions = new Grants();
  const statusOf = (cookie: string | undefined): SiteStatus => {
    const user = sessions.userOf(cookie);
    if (user !== undefined) return { loggedIn: true, user };
    return {
      loggedIn: false,
      detail: cookie === undefined ? `no ${cookieName} cookie` : `unknown ${cookieName}`,
    };
  };
  return (request, response) => {
    const path = request.url.pathname;
    const signedIn = (user: string) =>
      redirect(response, "/account", [`${cookieName}=${sessions.issue(user)}; ${cookieAttributes}`]);
    if (answerLogin(title, request, response, signedIn)) return;
    if (path === "/account" || path === "/") {
      const status = statusOf(request.cookies.get(cookieName));
      const text = status.loggedIn ? `Signed in as ${escapeHtml(status.user ?? "")}` : "Not signed in";
      sendHtml(response, page(title, `<h1>${title}</h1><p id="who">${text}</p>`, statusAttributes(status)));
    } else if (path === "/whoami") {
      sendJson(response, statusOf(request.cookies.get(cookieName)));
    } else {
      notFound(response);
    }
  };
}
