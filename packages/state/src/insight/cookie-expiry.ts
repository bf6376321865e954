import type { Cookie } from "../state.js";

const WEEK_SECONDS = 7 * 86_400;

export interface DomainExpiry {
  /** The cookie domain without its leading dot. */
  domain: string;
  sessionCookies: number;
  persistentCookies: number;
  /** ISO times of the first and last persistent cookie to expire; absent with no persistent cookie. */
  earliestExpiry?: string;
  latestExpiry?: string;
}

/** When an environment's logins run out: what a user needs to know before a task fails logged out. */
export interface CookieExpiry {
  domains: DomainExpiry[];
  /** Persistent cookies whose expiry has passed at `now`. */
  expired: number;
  /** Persistent cookies still valid at `now` that expire within 7 days. */
  expiresWithin7Days: number;
}

export function cookieExpiry(cookies: readonly Cookie[], now: Date = new Date()): CookieExpiry {
  const nowSeconds = now.getTime() / 1000;
  const domains = new Map<
    string,
    { session: number; persistent: number; earliest: number; latest: number }
  >();
  let expired = 0;
  let expiresWithin7Days = 0;
  for (const cookie of cookies) {
    const domain = cookie.domain.replace(/^\./, "");
    let entry = domains.get(domain);
    if (entry === undefined) {
      entry = {
        session: 0,
        persistent: 0,
        earliest: Number.POSITIVE_INFINITY,
        latest: Number.NEGATIVE_INFINITY,
      };
      domains.set(domain, entry);
    }
    if (cookie.session) {
      entry.session++;
      continue;
    }
    entry.persistent++;
    entry.earliest = Math.min(entry.earliest, cookie.expires);
    entry.latest = Math.max(entry.latest, cookie.expires);
    if (cookie.expires <= nowSeconds) expired++;
    else if (cookie.expires <= nowSeconds + WEEK_SECONDS) expiresWithin7Days++;
  }
  return {
    domains: [...domains]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([domain, entry]) => ({
        domain,
        sessionCookies: entry.session,
        persistentCookies: entry.persistent,
        ...(entry.persistent === 0
          ? {}
          : { earliestExpiry: isoSeconds(entry.earliest), latestExpiry: isoSeconds(entry.latest) }),
      })),
    expired,
    expiresWithin7Days,
  };
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

/** Cookie domains by where their logins stand at some moment, from their stored first expiries. */
export interface LoginExpiry {
  /** Domains whose first persistent cookie had expired by then: some of their login may be gone. */
  expired: string[];
  /** Domains not yet expired whose first persistent cookie expires within 7 days of then. */
  expiresWithin7Days: string[];
}

/**
 * Where each domain's login stands at `now`, from `cookieExpiry`'s per-domain
 * figures alone (as a stored summary keeps them): a domain counts by the
 * first of its persistent cookies to expire. Session cookies never count.
 */
export function loginExpiryAt(domains: readonly DomainExpiry[], now: Date): LoginExpiry {
  const result: LoginExpiry = { expired: [], expiresWithin7Days: [] };
  const nowMs = now.getTime();
  for (const { domain, earliestExpiry } of domains) {
    if (earliestExpiry === undefined) continue;
    const expires = Date.parse(earliestExpiry);
    if (expires <= nowMs) result.expired.push(domain);
    else if (expires <= nowMs + WEEK_SECONDS * 1000) result.expiresWithin7Days.push(domain);
  }
  return result;
}
