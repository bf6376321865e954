import { authenticate, bearerToken, Grants, loginForm } from "./accounts.js";
import { escapeHtml, notFound, page, type SiteHandler, scriptJson, sendHtml, sendJson } from "./http.js";
import { reportStatusScript, type SiteStatus } from "./status.js";

const month = 30 * 24 * 3600;

/**
 * A news site embedding a third-party comments widget. Inside the iframe the
 * widget signs in with a form POST that sets a CHIPS cookie
 * (`Partitioned; Secure; SameSite=None`) and keeps a token in (partitioned)
 * localStorage. The widget reports to the embedding page by postMessage;
 * the news page's status is the widget's. Signed in means both the
 * partitioned cookie and the partitioned token survived, in their partition.
 */
export function partitionedSites(origins: { news: string; widget: string }): {
  news: SiteHandler;
  widget: SiteHandler;
} {
  const news: SiteHandler = (request, response) => {
    if (request.url.pathname !== "/") return notFound(response);
    const script = `${reportStatusScript}
addEventListener("message", (event) => {
  if (event.origin === ${scriptJson(origins.widget)} && event.data?.type === "widget-status") reportStatus(event.data.status);
});`;
    const body = `<h1>News</h1><p>Today's story.</p><script>${script}</script>
<iframe id="widget" title="comments" width="400" height="200" src="${escapeHtml(`${origins.widget}/embed`)}"></iframe>`;
    sendHtml(response, page("News", body));
  };

  const sessions = new Grants();
  const tokens = new Grants();
  const widget: SiteHandler = (request, response) => {
    const path = request.url.pathname;
    if (path === "/embed") {
      const cookieUser = sessions.userOf(request.cookies.get("widget_session"));
      // The page script finishes the verdict: the token in storage must belong to the same user.
      const script = `${reportStatusScript}
const cookieUser = ${scriptJson(cookieUser ?? null)};
function publish(status) {
  if (window.top === window) reportStatus(status);
  else parent.postMessage({ type: "widget-status", status }, "*");
}
(async () => {
  const token = localStorage.getItem("widget_token");
  if (cookieUser === null) return publish({ loggedIn: false, detail: "no partitioned widget_session cookie" });
  if (token === null) return publish({ loggedIn: false, detail: "no widget_token in partitioned localStorage" });
  const answer = await (await fetch("/api/me", { headers: { authorization: "Bearer " + token } })).json();
  if (answer.user !== cookieUser) return publish({ loggedIn: false, detail: "storage token and cookie disagree" });
  publish({ loggedIn: true, user: cookieUser, detail: "partitioned cookie and partitioned localStorage" });
})().catch((e) => publish({ loggedIn: false, detail: String(e) }));`;
      const body =
        cookieUser !== undefined
          ? `<p id="who">Commenting as ${escapeHtml(cookieUser)}</p>`
          : loginForm("/login");
      sendHtml(response, page("Comments", `${body}<script>${script}</script>`));
    } else if (path === "/login" && request.method === "POST") {
      const user = authenticate(request.form);
      if (user === undefined) {
        sendHtml(response, page("Sign-in failed", "<h1>Wrong user or password</h1>"), { status: 401 });
        return;
      }
      const cookie = `widget_session=${sessions.issue(user)}; Path=/; Secure; HttpOnly; SameSite=None; Partitioned; Max-Age=${month}`;
      const script = `localStorage.setItem("widget_token", ${scriptJson(tokens.issue(user))}); location.replace("/embed");`;
      sendHtml(response, page("Comments", `<script>${script}</script>`), { cookies: [cookie] });
    } else if (path === "/api/me") {
      const user = tokens.userOf(bearerToken(request.headers.authorization));
      const status: SiteStatus =
        user !== undefined ? { loggedIn: true, user } : { loggedIn: false, detail: "token refused" };
      sendJson(response, status, user !== undefined ? 200 : 401);
    } else {
      notFound(response);
    }
  };
  return { news, widget };
}
