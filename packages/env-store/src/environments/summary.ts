import { type BrowserState, cookieExpiry, type DomainExpiry } from "@webrun/state";
import type { ProfileSummary } from "../archive/ingest-profile.js";
import type { VersionSummary } from "./schemas.js";

/** Lists in a summary are capped so a record stays small; counts stay exact. */
const LIST_CAP = 200;

export interface SummaryParts {
  state: BrowserState;
  stateBytes: number;
  extensionBytes: number;
  profileFiles: number;
  profileBytes: number;
  /** What a raw profile was found to hold: its origins and extensions count as the version's own. */
  profile?: ProfileSummary;
  /** The save time: cookie expiry counts are relative to it. */
  now: Date;
}

/** What a version holds — never a cookie value or storage content, only names, counts and sizes. */
export function summarize(parts: SummaryParts): VersionSummary {
  const domains = new Set(parts.state.cookies.map((cookie) => cookie.domain.replace(/^\./, "")));
  const origins = new Set([
    ...parts.state.origins.map((origin) => origin.origin),
    ...(parts.profile?.origins ?? []),
  ]);
  const extensions = new Map<string, { id: string; name: string; version: string }>();
  for (const { id, name, version } of [...parts.state.extensions, ...(parts.profile?.extensions ?? [])])
    if (!extensions.has(id)) extensions.set(id, { id, name, version });
  return {
    cookies: parts.state.cookies.length,
    cookieDomains: [...domains].sort().slice(0, LIST_CAP),
    origins: [...origins].sort().slice(0, LIST_CAP),
    originCount: origins.size,
    extensions: [...extensions.values()],
    stateBytes: parts.stateBytes,
    extensionBytes: parts.extensionBytes,
    profileFiles: parts.profileFiles,
    profileBytes: parts.profileBytes,
    totalBytes: parts.stateBytes + parts.extensionBytes + parts.profileBytes,
    ...(parts.profile === undefined ? {} : { profile: parts.profile }),
    cookieExpiry: summarizeExpiry(parts.state, parts.now),
  };
}

function summarizeExpiry(state: BrowserState, now: Date): NonNullable<VersionSummary["cookieExpiry"]> {
  const expiry = cookieExpiry(state.cookies, now);
  return { at: now.toISOString(), ...expiry, domains: firstToExpire(expiry.domains) };
}

/** Over the cap, the domains whose logins run out first are the ones worth keeping; shown by name. */
function firstToExpire(domains: DomainExpiry[]): DomainExpiry[] {
  if (domains.length <= LIST_CAP) return domains;
  // "~" sorts after any ISO time: domains with session cookies only come last.
  const soonest = (d: DomainExpiry) => (d.earliestExpiry === undefined ? "~" : d.earliestExpiry);
  return [...domains]
    .sort((a, b) => (soonest(a) < soonest(b) ? -1 : soonest(a) > soonest(b) ? 1 : 0))
    .slice(0, LIST_CAP)
    .sort((a, b) => (a.domain < b.domain ? -1 : 1));
}
