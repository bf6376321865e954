import type { ServerResponse } from "node:http";
import { authenticate, loginForm } from "./accounts.js";
import { page, type SiteRequest, sendHtml } from "./http.js";

/**
 * A form site's `/login`: GET shows the form, a POST with the right
 * password calls `signedIn` (which answers), a wrong one gets 401. Returns
 * false, answering nothing, for any other request.
 */
export function answerLogin(
  title: string,
  request: SiteRequest,
  response: ServerResponse,
  signedIn: (user: string) => void,
): boolean {
  if (request.url.pathname !== "/login") return false;
  if (request.method === "GET") {
    sendHtml(response, page(`${title}: sign in`, `<h1>${title}</h1>${loginForm("/login")}`));
    return true;
  }
  if (request.method !== "POST") return false;
  const user = authenticate(request.form);
  if (user === undefined) {
    sendHtml(response, page("Sign-in failed", "<h1>Wrong user or password</h1>"), { status: 401 });
  } else {
    signedIn(user);
  }
  return true;
}
