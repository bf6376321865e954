import { stateError } from "../errors.js";
import type { BrowserState, Cookie, OriginState } from "../state.js";

/** Which logins a task gets: `only` keeps just these domains, `exclude` drops these; each covers its subdomains. */
export interface DomainFilter {
  only?: readonly string[];
  exclude?: readonly string[];
}

export interface FilteredState {
  state: BrowserState;
  /** What the filter left out, so a seed report can say so. */
  leftOut: { cookies: number; origins: number; passkeys: number };
  /** `only` domains that matched nothing: most likely a typo, worth a warning. */
  unmatched: string[];
}

const hostname =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/** `Example.COM.` → `example.com`; a leading dot (cookie style) is allowed. Anything else is refused by name. */
export function normalizeDomain(domain: string): string {
  const normal = domain.trim().toLowerCase().replace(/^\./, "").replace(/\.$/, "");
  if (!hostname.test(normal)) {
    throw stateError({
      kind: "invalid_input",
      code: "DOMAIN_INVALID",
      message: `not a domain: ${JSON.stringify(domain.slice(0, 100))} (expected a host name like example.com)`,
    });
  }
  return normal;
}

function covers(domain: string, host: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function hostOf(originOrSite: string): string {
  return new URL(originOrSite).hostname.toLowerCase();
}

/**
 * Keeps the parts of a state that belong to the filter's domains: cookies by
 * their domain, storage by its origin's host, partitioned cookies and storage
 * by either their own host or their top-level site, passkeys by their RP id.
 * Extensions are not tied to a domain and are always kept.
 */
export function filterStateByDomain(state: BrowserState, filter: DomainFilter): FilteredState {
  const only = (filter.only ?? []).map(normalizeDomain);
  const exclude = (filter.exclude ?? []).map(normalizeDomain);
  const matched = new Set<string>();
  const keep = (hosts: string[]): boolean => {
    if (hosts.some((host) => exclude.some((domain) => covers(domain, host)))) return false;
    if (only.length === 0) return true;
    const hits = only.filter((domain) => hosts.some((host) => covers(domain, host)));
    for (const hit of hits) matched.add(hit);
    return hits.length > 0;
  };
  const cookieHosts = (cookie: Cookie) => [
    cookie.domain.replace(/^\./, "").toLowerCase(),
    ...(cookie.partitionKey === undefined ? [] : [hostOf(cookie.partitionKey.topLevelSite)]),
  ];
  const originHosts = (origin: OriginState) => [
    hostOf(origin.origin),
    ...(origin.topLevelSite === undefined ? [] : [hostOf(origin.topLevelSite)]),
  ];
  const cookies = state.cookies.filter((cookie) => keep(cookieHosts(cookie)));
  const origins = state.origins.filter((origin) => keep(originHosts(origin)));
  const passkeys = state.webauthn?.credentials ?? [];
  const keptPasskeys = passkeys.filter((passkey) => keep([passkey.rpId]));
  return {
    state: {
      ...state,
      cookies,
      origins,
      ...(state.webauthn ? { webauthn: { ...state.webauthn, credentials: keptPasskeys } } : {}),
    },
    leftOut: {
      cookies: state.cookies.length - cookies.length,
      origins: state.origins.length - origins.length,
      passkeys: passkeys.length - keptPasskeys.length,
    },
    unmatched: only.filter((domain) => !matched.has(domain)),
  };
}
