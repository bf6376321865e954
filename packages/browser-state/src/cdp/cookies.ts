import { type Cookie, cookieSchema, type DroppedItems } from "@webrun/state";
import type { Protocol } from "devtools-protocol";
import type { CdpConnection } from "./cdp-connection.js";

/**
 * Every cookie of the browser (or of one browser context), HttpOnly and
 * partitioned ones included, from the browser session. Cookies BrowserState
 * cannot hold are left out: opaque partition keys (they cannot be set again)
 * and anything that fails the schema (e.g. control characters); `dropped`
 * counts them by reason.
 */
export async function readAllCookies(
  connection: CdpConnection,
  browserContextId?: string,
): Promise<{ cookies: Cookie[]; dropped: DroppedItems[] }> {
  const { cookies } = await connection.send(
    "Storage.getCookies",
    browserContextId ? { browserContextId } : {},
  );
  const result: Cookie[] = [];
  const opaque: DroppedItems = { reason: "opaque partition key: cannot be set again", count: 0 };
  const invalid: DroppedItems = { reason: "not a valid cookie for BrowserState", count: 0 };
  for (const raw of cookies) {
    if (raw.partitionKeyOpaque) {
      opaque.count++;
      continue;
    }
    const cookie = cookieSchema.safeParse({
      name: raw.name,
      value: raw.value,
      domain: raw.domain,
      path: raw.path,
      expires: raw.session ? -1 : raw.expires,
      httpOnly: raw.httpOnly,
      secure: raw.secure,
      session: raw.session,
      sameSite: raw.sameSite,
      priority: raw.priority,
      sourceScheme: raw.sourceScheme,
      sourcePort: raw.sourcePort,
      partitionKey: raw.partitionKey,
    });
    if (cookie.success) result.push(cookie.data);
    else invalid.count++;
  }
  return { cookies: result, dropped: [opaque, invalid].filter((item) => item.count > 0) };
}

/**
 * The `Storage.setCookies` parameter for a stored cookie. A session cookie
 * is sent WITHOUT `expires` — with 0 or -1 Chromium takes it as already
 * expired. The partition key goes as an object (a string is a CBOR error).
 */
export function toCookieParam(cookie: Cookie): Protocol.Network.CookieParam {
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    secure: cookie.secure,
    httpOnly: cookie.httpOnly,
    ...(cookie.session || cookie.expires <= 0 ? {} : { expires: cookie.expires }),
    ...(cookie.sameSite ? { sameSite: cookie.sameSite } : {}),
    ...(cookie.priority ? { priority: cookie.priority } : {}),
    ...(cookie.sourceScheme ? { sourceScheme: cookie.sourceScheme } : {}),
    ...(cookie.sourcePort !== undefined ? { sourcePort: cookie.sourcePort } : {}),
    ...(cookie.partitionKey ? { partitionKey: cookie.partitionKey } : {}),
  };
}

const cookieBatch = 1_000;

/** A persistent cookie whose expiry has passed (session cookies never expire here). */
export function hasExpired(cookie: Cookie, nowSeconds: number): boolean {
  return !cookie.session && cookie.expires > 0 && cookie.expires <= nowSeconds;
}

/**
 * Sets cookies on the browser session in batches (bounded message size for
 * 10,000 cookies). Persistent cookies that have already expired are skipped:
 * setting them would only delete.
 */
export async function writeCookies(
  connection: CdpConnection,
  cookies: readonly Cookie[],
  options: { browserContextId?: string; now?: number } = {},
): Promise<void> {
  const nowSeconds = (options.now ?? Date.now()) / 1000;
  const live = cookies.filter((cookie) => !hasExpired(cookie, nowSeconds));
  for (let start = 0; start < live.length; start += cookieBatch) {
    await connection.send("Storage.setCookies", {
      cookies: live.slice(start, start + cookieBatch).map(toCookieParam),
      ...(options.browserContextId ? { browserContextId: options.browserContextId } : {}),
    });
  }
}
