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
