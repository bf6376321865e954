import { randomBytes } from "node:crypto";
import { escapeHtml } from "./http.js";

/** The one password every test site accepts; any other is refused, so a login can fail. */
export const testPassword = "correct horse battery staple";

/** Opaque random ids (session ids, tokens, SSO codes) mapped to the user they stand for. */
export class Grants {
  readonly #users = new Map<string, string>();

  issue(user: string): string {
    const id = randomBytes(18).toString("base64url");
    this.#users.set(id, user);
    return id;
  }

  userOf(id: string | undefined): string | undefined {
    return id === undefined ? undefined : this.#users.get(id);
  }

  /** For one-time grants such as SSO codes. */
  redeem(id: string | undefined): string | undefined {
    const user = this.userOf(id);
    if (id !== undefined) this.#users.delete(id);
    return user;
  }
}

/** The user a login form names, when the password is right. */
export function authenticate(form: URLSearchParams): string | undefined {
  const user = form.get("user") ?? "";
  return user !== "" && form.get("password") === testPassword ? user : undefined;
}

export function bearerToken(authorization: string | undefined): string | undefined {
  return authorization?.startsWith("Bearer ") ? authorization.slice("Bearer ".length) : undefined;
}

/** A plain login form that POSTs `user` and `password` (and hidden fields) to `action`. */
export function loginForm(action: string, hidden: Record<string, string> = {}): string {
  const hiddenInputs = Object.entries(hidden)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join("");
  return `<form id="login" method="post" action="${escapeHtml(action)}">${hiddenInputs}
<label>User <input id="user" name="user" autocomplete="username"></label>
<label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
<button id="submit" type="submit">Sign in</button></form>`;
}
