import { bearerToken, Grants } from "./accounts.js";
import { notFound, page, type SiteHandler, scriptJson, sendHtml, sendJson } from "./http.js";
import { answerLogin } from "./login-route.js";
import { reportStatusScript, type SiteStatus } from "./status.js";

/**
 * A single-page-app style site: the login form POST returns a token that
 * page script keeps in browser storage; /account is answered by page script,
 * which reads the token from storage and asks /api/me (Bearer) who it is.
 * Logged in therefore needs both: the storage restored, and the token valid.
 */
function tokenSite(title: string, storeToken: string, accountScript: string): SiteHandler {
  const tokens = new Grants();
  return (request, response) => {
    const path = request.url.pathname;
    const signedIn = (user: string) => {
      const script = `const token = ${scriptJson(tokens.issue(user))}; const user = ${scriptJson(user)};
(async () => { ${storeToken} })().then(() => location.replace("/account"), (e) => { document.body.textContent = String(e); });`;
      sendHtml(response, page(title, `<p>Signing in…</p><script>${script}</script>`));
    };
    if (answerLogin(title, request, response, signedIn)) return;
    if (path === "/account" || path === "/") {
      const script = `${reportStatusScript}
async function whoIs(token) {
  const answer = await fetch("/api/me", { headers: { authorization: "Bearer " + token } });
  return answer.json();
}
(async () => { ${accountScript} })().catch((e) => reportStatus({ loggedIn: false, detail: String(e) }));`;
      sendHtml(response, page(title, `<h1>${title}</h1><script>${script}</script>`));
    } else if (path === "/api/me") {
      const user = tokens.userOf(bearerToken(request.headers.authorization));
      const status: SiteStatus =
        user !== undefined ? { loggedIn: true, user } : { loggedIn: false, detail: "token refused" };
      sendJson(response, status, user !== undefined ? 200 : 401);
    } else {
      notFound(response);
    }
  };
}

/** Token in localStorage or sessionStorage under `key`. */
export function webStorageTokenSite(
  title: string,
  area: "localStorage" | "sessionStorage",
  key: string,
): SiteHandler {
  return tokenSite(
    title,
    `${area}.setItem(${scriptJson(key)}, token);`,
    `const token = ${area}.getItem(${scriptJson(key)});
if (token === null) return reportStatus({ loggedIn: false, detail: ${scriptJson(`no ${key} in ${area}`)} });
reportStatus(await whoIs(token));`,
  );
}

/** Database of the IndexedDB site: version 3, two stores, indexes, and typed values (Date, Uint8Array). */
export const indexedDbSiteSchema = { database: "docs-app", version: 3 } as const;

const openDatabaseScript = `function request(r) { return new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); }); }`;

/**
 * Token kept in IndexedDB with a versioned schema. The account page opens the
 * database without a version (so it sees whatever version was restored, and
 * aborts rather than creating an empty one) and checks the schema and the
 * value types before it trusts the token.
 */
export function indexedDbTokenSite(title: string): SiteHandler {
  const { database, version } = indexedDbSiteSchema;
  const store = `${openDatabaseScript}
const open = indexedDB.open(${scriptJson(database)}, ${version});
open.onupgradeneeded = () => {
  const db = open.result;
  const session = db.createObjectStore("session", { keyPath: "id" });
  session.createIndex("byUser", "user", { unique: true });
  const drafts = db.createObjectStore("drafts", { autoIncrement: true });
  drafts.createIndex("byUpdated", "updatedAt");
  drafts.createIndex("byTag", "tags", { multiEntry: true });
};
const db = await request(open);
const tx = db.transaction(["session", "drafts"], "readwrite");
const now = new Date();
tx.objectStore("session").put({ id: "current", user, token, createdAt: now,
  expiresAt: new Date(now.getTime() + 30 * 86400000), scopes: ["read", "write"], avatar: new Uint8Array([1, 2, 3, 254]) });
tx.objectStore("drafts").add({ title: "First draft", updatedAt: now, tags: ["work", "todo"] });
tx.objectStore("drafts").add({ title: "Second draft", updatedAt: now, tags: ["home"] });
await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
db.close();`;
  const account = `${openDatabaseScript}
const open = indexedDB.open(${scriptJson(database)});
open.onupgradeneeded = (event) => { if (event.oldVersion === 0) open.transaction.abort(); };
let db;
try { db = await request(open); } catch { return reportStatus({ loggedIn: false, detail: "no ${database} database" }); }
const problems = [];
if (db.version !== ${version}) problems.push("version " + db.version);
for (const name of ["session", "drafts"]) if (!db.objectStoreNames.contains(name)) problems.push("no store " + name);
if (problems.length > 0) return reportStatus({ loggedIn: false, detail: problems.join("; ") });
const tx = db.transaction(["session", "drafts"]);
const session = tx.objectStore("session");
const drafts = tx.objectStore("drafts");
if (session.keyPath !== "id") problems.push("session keyPath " + session.keyPath);
if (!drafts.autoIncrement) problems.push("drafts not autoIncrement");
if (!session.index("byUser").unique) problems.push("byUser not unique");
if (!drafts.index("byTag").multiEntry) problems.push("byTag not multiEntry");
const record = await request(session.get("current"));
const tagged = await request(drafts.index("byTag").getAll("work"));
const draftCount = await request(drafts.count());
db.close();
if (record === undefined) return reportStatus({ loggedIn: false, detail: "no session record" });
if (!(record.createdAt instanceof Date) || !(record.expiresAt instanceof Date)) problems.push("dates lost their type");
if (!(record.avatar instanceof Uint8Array) || record.avatar.join() !== "1,2,3,254") problems.push("avatar bytes lost");
if (tagged.length !== 1 || !(tagged[0].updatedAt instanceof Date)) problems.push("byTag index lookup failed");
if (draftCount !== 2) problems.push(draftCount + " drafts");
const status = await whoIs(record.token);
if (problems.length > 0) return reportStatus({ loggedIn: false, user: status.user, detail: problems.join("; ") });
reportStatus({ ...status, detail: "schema v${version}, indexes, Date and Uint8Array values intact" });`;
  return tokenSite(title, store, account);
}

/** Token kept in a file of the origin private file system (OPFS), which page script cannot enumerate into JSON state. */
export function opfsTokenSite(title: string): SiteHandler {
  return tokenSite(
    title,
    `const root = await navigator.storage.getDirectory();
const file = await root.getFileHandle("token", { create: true });
const writable = await file.createWritable();
await writable.write(token);
await writable.close();`,
    `const root = await navigator.storage.getDirectory();
let file;
try { file = await root.getFileHandle("token"); } catch { return reportStatus({ loggedIn: false, detail: "no token file in OPFS" }); }
reportStatus(await whoIs(await (await file.getFile()).text()));`,
  );
}
