import {
  type BrowserState,
  cookieExpiry,
  type DomainFilter,
  filterStateByDomain,
  mergeStates,
} from "@webrun/state";

/** What a session was given of its environment, per kind, and what it was not given and why. */
export interface SeedReport {
  /** Cookies set on the browser. */
  cookies: number;
  /** Origins (storage keys) with storage written. */
  origins: number;
  /** Extensions loaded. */
  extensions: number;
  /** Passkeys the virtual authenticators were given. */
  passkeys: number;
  /** Files materialised in `filesDir`. */
  files: number;
  notSeeded: {
    /** Left out by `onlyDomains` / `excludeDomains`; kept in the environment all the same. */
    byDomainFilter: { cookies: number; origins: number; passkeys: number };
    /** `onlyDomains` entries that matched nothing in the environment (a typo?). */
    unmatchedDomains: string[];
    /** Persistent cookies past their expiry: setting them would only delete. */
    expiredCookies: number;
    /** Extensions disabled in the environment: kept, not loaded. */
    disabledExtensions: number;
    /** Passkeys held back from a session without a virtual authenticator: kept, not seeded. */
    passkeysWithoutAuthenticator: number;
    /**
     * Folders of the environment's storage snapshot (service workers, OPFS,
     * IndexedDB values JSON cannot carry) not seeded, each with why: another
     * Chromium major, a corrupt folder, or a domain filter (the snapshot
     * holds every origin in one folder and cannot be filtered).
     */
    storageSnapshot: string[];
  };
}

/** Why a session with a domain filter seeds no storage snapshot. */
export const unfilterableSnapshot =
  "a domain filter is on, and a storage snapshot keeps every origin's service workers and OPFS in one folder: it cannot be filtered by domain";

export interface SeedPlan {
  /** What the browser is seeded with. */
  state: BrowserState;
  /** Whether parts of the head were held back (then a save must carry them over, see `stateToSave`). */
  partial: boolean;
  /** `notSeeded.storageSnapshot` is filled in once the browser is seeded. */
  report: Omit<SeedReport, "files" | "passkeys">;
  /** Set when the domain filter is on: a storage snapshot is then not seeded, for this reason. */
  skipStorageSnapshot?: string;
}

/**
 * The part of the head a session gets: the domain filter applied, disabled
 * extensions out, and the passkeys only when the session has a virtual
 * authenticator to hold them (held back, they are kept by the save).
 */
export function planSeed(
  head: BrowserState,
  filter: DomainFilter,
  { passkeys }: { passkeys: boolean },
): SeedPlan {
  const filtered = filterStateByDomain(head, filter);
  const extensions = filtered.state.extensions.filter((extension) => extension.enabled);
  const expiredCookies = cookieExpiry(filtered.state.cookies).expired;
  const disabledExtensions = filtered.state.extensions.length - extensions.length;
  const { webauthn, ...rest } = filtered.state;
  const passkeysHeldBack = !passkeys && webauthn !== undefined;
  const filtering = filter.only !== undefined || filter.exclude !== undefined;
  return {
    state: { ...rest, extensions, ...(webauthn && !passkeysHeldBack ? { webauthn } : {}) },
    ...(filtering ? { skipStorageSnapshot: unfilterableSnapshot } : {}),
    partial:
      filtered.leftOut.cookies + filtered.leftOut.origins + filtered.leftOut.passkeys + disabledExtensions >
        0 || passkeysHeldBack,
    report: {
      cookies: filtered.state.cookies.length - expiredCookies,
      origins: filtered.state.origins.length,
      extensions: extensions.length,
      notSeeded: {
        byDomainFilter: filtered.leftOut,
        unmatchedDomains: filtered.unmatched,
        expiredCookies,
        disabledExtensions,
        passkeysWithoutAuthenticator: passkeysHeldBack ? webauthn.credentials.length : 0,
        storageSnapshot: [],
      },
    },
  };
}

/**
 * What a session saves: its capture, plus what it was never given. A
 * capture lacks whatever was not seeded (filtered domains, disabled
 * extensions), and saved as is that would read as deleted. So the
 * session's own changes (seeded → captured) are merged onto the full
 * head it started from: what it never saw stays as it was.
 */
export function stateToSave(captured: BrowserState, plan: SeedPlan, head: BrowserState): BrowserState {
  if (!plan.partial) return captured;
  return mergeStates({ base: plan.state, ours: captured, theirs: head }).state;
}
