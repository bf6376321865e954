import type { Cookie, DroppedItems, KindReport } from "@webrun/state";
import { kindReport } from "@webrun/state";
import type { CdpConnection } from "../cdp/cdp-connection.js";
import { hasExpired } from "../cdp/cookies.js";

/** Chromium's cookie store limits (net/cookies/cookie_monster.h): it purges down to fewer when one is passed. */
const perDomainCap = 180;
const globalCap = 3_300;

/** name, domain, path and partition: what makes a cookie one cookie in the store. */
function identity(cookie: {
  name: string;
  domain: string;
  path: string;
  partitionKey?: { topLevelSite: string } | undefined;
}): string {
  return JSON.stringify([cookie.name, cookie.domain, cookie.path, cookie.partitionKey?.topLevelSite ?? ""]);
}

/**
 * The registrable domain Chromium counts a cookie's per-domain cap against,
 * approximated by the last two labels of its domain (no public-suffix list
 * here: under a multi-label suffix such as co.uk the grouping is wider).
 */
function capKey(domain: string): string {
  return domain.replace(/^\./, "").split(".").slice(-2).join(".");
}

/**
 * Reads the browser's cookies back after seeding and says which of
 * `cookies` it did not keep, and why: expired before they were set, over
 * Chromium's per-domain cap, over its global cap, or refused outright.
 * Counts and domains only, never values.
 */
export async function verifySeededCookies(
  connection: CdpConnection,
  cookies: readonly Cookie[],
  options: { browserContextId?: string; now?: number } = {},
): Promise<KindReport> {
  const nowSeconds = (options.now ?? Date.now()) / 1000;
  const { cookies: held } = await connection.send(
    "Storage.getCookies",
    options.browserContextId ? { browserContextId: options.browserContextId } : {},
  );
  const present = new Set(held.map(identity));
  const wanted = new Map<string, Cookie>();
  for (const cookie of cookies) wanted.set(identity(cookie), cookie);
  const perDomain = new Map<string, number>();
  for (const cookie of wanted.values()) {
    const key = capKey(cookie.domain);
    perDomain.set(key, (perDomain.get(key) ?? 0) + 1);
  }
  const expired: DroppedItems = { reason: "expired before it was seeded", count: 0 };
  const cappedDomains = new Set<string>();
  const refusedDomains = new Set<string>();
  const domainCap: DroppedItems = { reason: `Chromium caps: ${perDomainCap} per domain`, count: 0 };
  const allCap: DroppedItems = { reason: `Chromium caps: ${globalCap} in all`, count: 0 };
  const refused: DroppedItems = { reason: "refused by Chromium", count: 0 };
  for (const [id, cookie] of wanted) {
    if (present.has(id)) continue;
    const key = capKey(cookie.domain);
    if (hasExpired(cookie, nowSeconds)) expired.count++;
    else if ((perDomain.get(key) ?? 0) > perDomainCap) {
      domainCap.count++;
      cappedDomains.add(key);
    } else if (wanted.size > globalCap) allCap.count++;
    else {
      refused.count++;
      refusedDomains.add(cookie.domain);
    }
  }
  domainCap.examples = [...cappedDomains].slice(0, 5);
  refused.examples = [...refusedDomains].slice(0, 5);
  const kept = [...wanted.keys()].filter((id) => present.has(id)).length;
  // Duplicates in the state (same name, domain, path, partition) collapse into one cookie.
  const duplicates: DroppedItems = {
    reason: "same name, domain, path and partition as another cookie of the state",
    count: cookies.length - wanted.size,
  };
  return kindReport(kept, cookies.length, [duplicates, expired, domainCap, allCap, refused]);
}
