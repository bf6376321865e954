import { authenticate, Grants, loginForm } from "./accounts.js";
import { notFound, page, redirect, type SiteHandler, scriptJson, sendHtml } from "./http.js";
import { reportStatusScript } from "./status.js";

const month = 30 * 24 * 3600;

/**
 * An old plain-HTTP intranet app on a non-default port: a non-Secure session
 * cookie plus a profile in localStorage. Logged in needs both, for the same user.
 */
export function legacySite(): SiteHandler {
  const sessions = new Grants();
  return (request, response) => {
    const path = request.url.pathname;
    if (path === "/login" && request.method === "GET") {
      sendHtml(response, page("Legacy: sign in", `<h1>Legacy intranet</h1>${loginForm("/login")}`));
    } else if (path === "/login" && request.method === "POST") {
      const user = authenticate(request.form);
      if (user === undefined) {
        sendHtml(response, page("Sign-in failed", "<h1>Wrong user or password</h1>"), { status: 401 });
        return;
      }
      redirect(response, `/welcome?user=${encodeURIComponent(user)}`, [
        `legacy_session=${sessions.issue(user)}; Path=/; HttpOnly; Max-Age=${month}`,
      ]);
    } else if (path === "/welcome") {
      const profile = { user: request.url.searchParams.get("user"), theme: "dark", since: "2004" };
      const script = `localStorage.setItem("legacy_profile", ${scriptJson(JSON.stringify(profile))}); location.replace("/account");`;
      sendHtml(response, page("Legacy", `<script>${script}</script>`));
    } else if (path === "/account" || path === "/") {
      const cookieUser = sessions.userOf(request.cookies.get("legacy_session"));
      const script = `${reportStatusScript}
const cookieUser = ${scriptJson(cookieUser ?? null)};
const profile = JSON.parse(localStorage.getItem("legacy_profile") ?? "null");
if (cookieUser === null) reportStatus({ loggedIn: false, detail: "no legacy_session cookie" });
else if (profile?.user !== cookieUser) reportStatus({ loggedIn: false, detail: "no legacy_profile in localStorage for " + cookieUser });
else reportStatus({ loggedIn: true, user: cookieUser, detail: "cookie and localStorage profile" });`;
      sendHtml(response, page("Legacy", `<h1>Legacy intranet</h1><script>${script}</script>`));
    } else {
      notFound(response);
    }
  };
}
