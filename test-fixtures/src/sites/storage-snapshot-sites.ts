import { createPublicKey, type JsonWebKey, randomBytes, verify } from "node:crypto";
import { Grants } from "./accounts.js";
import {
  escapeHtml,
  notFound,
  page,
  redirect,
  type SiteHandler,
  scriptJson,
  sendHtml,
  sendJson,
} from "./http.js";
import { answerLogin } from "./login-route.js";
import { reportStatusScript, type SiteStatus, statusAttributes } from "./status.js";

/**
 * Sites whose login lives where JavaScript cannot serialise it: a service
 * worker and its Cache Storage, and a non-extractable CryptoKey in
 * IndexedDB. (The OPFS one is `opfsTokenSite`.)
 */

const pwaCookie = "pwa_session";

/**
 * A PWA: signing in sets a session cookie, registers `/sw.js` and caches the
 * server-rendered `/account` page (which names the user only for a valid
 * cookie). The worker answers `/account` from its cache first, so an
 * offline browser still shows the signed-in page — if, and only if, the
 * worker registration and its cache are there.
 */
export function offlinePwaSite(title: string): SiteHandler {
  const sessions = new Grants();
  const worker = `self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  event.respondWith(caches.match(event.request).then((cached) => cached ?? fetch(event.request)));
});`;
  const afterLogin = `(async () => {
  await navigator.serviceWorker.register("/sw.js");
  await navigator.serviceWorker.ready;
  await (await caches.open("pwa")).add("/account");
})().then(() => location.replace("/account"), (e) => { document.body.textContent = String(e); });`;
  return (request, response) => {
    const path = request.url.pathname;
    const signedIn = (user: string) =>
      sendHtml(response, page(title, `<p>Installing…</p><script>${afterLogin}</script>`), {
        cookies: [`${pwaCookie}=${sessions.issue(user)}; Path=/; Secure; HttpOnly; SameSite=Lax`],
      });
    if (answerLogin(title, request, response, signedIn)) return;
    if (path === "/sw.js") {
      response.writeHead(200, { "content-type": "text/javascript", "cache-control": "no-store" });
      response.end(worker);
    } else if (path === "/account") {
      const user = sessions.userOf(request.cookies.get(pwaCookie));
      const status: SiteStatus =
        user !== undefined ? { loggedIn: true, user } : { loggedIn: false, detail: `no valid ${pwaCookie}` };
      const text = user !== undefined ? `Signed in as ${escapeHtml(user)}` : "Not signed in";
      // The app shell phones home, as apps do: a page of it run by someone else shows up as a request.
      const beacon = `<script>fetch("/api/seen").catch(() => undefined);</script>`;
      sendHtml(response, page(title, `<h1>${title}</h1><p>${text}</p>${beacon}`, statusAttributes(status)));
    } else if (path === "/api/seen") {
      sendJson(response, { seen: true });
    } else if (path === "/") {
      redirect(response, "/account");
    } else {
      notFound(response);
    }
  };
}

const keyDatabaseScript = `function request(r) { return new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); }); }
async function keyStore(mode) {
  const open = indexedDB.open("signer", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("keys");
  const db = await request(open);
  return db.transaction("keys", mode).objectStore("keys");
}`;

/**
 * Device-bound login: signing in enrols an ECDSA P-256 key pair whose
 * private key is non-extractable and kept (as a CryptoKey) in IndexedDB.
 * `/account` asks the server for a challenge, signs it with that key and
 * is signed in only when the server verifies the signature against the
 * enrolled public key. No token anywhere: the key itself is the login.
 */
export function signingKeySite(title: string): SiteHandler {
  const enrolments = new Grants();
  const publicKeys = new Map<string, { user: string; jwk: JsonWebKey }>();
  const challenges = new Set<string>();
  const afterLogin = (enrolment: string) => `${keyDatabaseScript}
(async () => {
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const jwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const answer = await fetch("/api/enrol", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ enrolment: ${scriptJson(enrolment)}, jwk }) });
  const { keyId } = await answer.json();
  const store = await keyStore("readwrite");
  await request(store.put({ keyId, privateKey: pair.privateKey }, "device"));
})().then(() => location.replace("/account"), (e) => { document.body.textContent = String(e); });`;
  const account = `${reportStatusScript}
${keyDatabaseScript}
(async () => {
  const device = await request((await keyStore("readonly")).get("device"));
  if (!device) return reportStatus({ loggedIn: false, detail: "no device key in IndexedDB" });
  if (!(device.privateKey instanceof CryptoKey)) return reportStatus({ loggedIn: false, detail: "device key is not a CryptoKey" });
  const { challenge } = await (await fetch("/api/challenge")).json();
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, device.privateKey, new TextEncoder().encode(challenge));
  const answer = await fetch("/api/verify", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ keyId: device.keyId, challenge, signature: btoa(String.fromCharCode(...new Uint8Array(signature))) }) });
  reportStatus({ ...(await answer.json()), detail: "signed the challenge with a non-extractable key" });
})().catch((e) => reportStatus({ loggedIn: false, detail: String(e) }));`;
  return (request, response) => {
    const path = request.url.pathname;
    const signedIn = (user: string) =>
      sendHtml(
        response,
        page(title, `<p>Enrolling this device…</p><script>${afterLogin(enrolments.issue(user))}</script>`),
      );
    if (answerLogin(title, request, response, signedIn)) return;
    if (path === "/api/enrol" && request.method === "POST") {
      const body = request.json as { enrolment?: string; jwk?: JsonWebKey } | undefined;
      const user = enrolments.redeem(body?.enrolment);
      if (user === undefined || body?.jwk === undefined) {
        sendJson(response, { error: "enrolment refused" }, 400);
        return;
      }
      const keyId = randomBytes(12).toString("base64url");
      publicKeys.set(keyId, { user, jwk: body.jwk });
      sendJson(response, { keyId });
    } else if (path === "/api/challenge") {
      const challenge = randomBytes(18).toString("base64url");
      challenges.add(challenge);
      sendJson(response, { challenge });
    } else if (path === "/api/verify" && request.method === "POST") {
      sendJson(response, verifyChallenge(request.json, publicKeys, challenges));
    } else if (path === "/account" || path === "/") {
      sendHtml(response, page(title, `<h1>${title}</h1><script>${account}</script>`));
    } else {
      notFound(response);
    }
  };
}

function verifyChallenge(
  body: unknown,
  publicKeys: ReadonlyMap<string, { user: string; jwk: JsonWebKey }>,
  challenges: Set<string>,
): SiteStatus {
  const { keyId, challenge, signature } = (body ?? {}) as Record<string, unknown>;
  if (typeof keyId !== "string" || typeof challenge !== "string" || typeof signature !== "string") {
    return { loggedIn: false, detail: "malformed answer" };
  }
  const enrolled = publicKeys.get(keyId);
  if (enrolled === undefined) return { loggedIn: false, detail: "unknown device key" };
  if (!challenges.delete(challenge)) return { loggedIn: false, detail: "unknown or used challenge" };
  const key = createPublicKey({ key: enrolled.jwk, format: "jwk" });
  const valid = verify(
    "sha256",
    Buffer.from(challenge),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature, "base64"),
  );
  return valid ? { loggedIn: true, user: enrolled.user } : { loggedIn: false, detail: "bad signature" };
}
