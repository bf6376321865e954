import type { BrowserState } from "@webrun/browser-state";
import type { VersionSummary } from "./schemas.js";

/** Lists in a summary are capped so a record stays small; counts stay exact. */
const LIST_CAP = 200;

export interface SummaryParts {
  state: BrowserState;
  stateBytes: number;
  extensionBytes: number;
  profileFiles: number;
  profileBytes: number;
  profile?: unknown;
}

/** What a version holds — never a cookie value or storage content, only names, counts and sizes. */
export function summarize(parts: SummaryParts): VersionSummary {
  const domains = new Set(parts.state.cookies.map((cookie) => cookie.domain.replace(/^\./, "")));
  const origins = new Set(parts.state.origins.map((origin) => origin.origin));
  return {
    cookies: parts.state.cookies.length,
    cookieDomains: [...domains].sort().slice(0, LIST_CAP),
    origins: [...origins].sort().slice(0, LIST_CAP),
    originCount: origins.size,
    extensions: parts.state.extensions.map((extension) => ({
      id: extension.id,
      name: extension.name,
      version: extension.version,
    })),
    stateBytes: parts.stateBytes,
    extensionBytes: parts.extensionBytes,
    profileFiles: parts.profileFiles,
    profileBytes: parts.profileBytes,
    totalBytes: parts.stateBytes + parts.extensionBytes + parts.profileBytes,
    ...(parts.profile === undefined ? {} : { profile: parts.profile }),
  };
}
