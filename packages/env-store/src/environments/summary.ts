import type { BrowserState } from "@webrun/state";
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
  };
}
