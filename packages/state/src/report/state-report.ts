/**
 * What a capture, seed or restore carried and what it could not, per kind of
 * browser data, with reasons — so nothing is dropped without a word. Counts
 * and names (origins, extension ids) only: never a cookie value or token.
 */

/** Items of one kind that did not make it, for one reason. */
export interface DroppedItems {
  reason: string;
  count: number;
  /** A few of them by name (an origin, a cookie's domain, an extension id), when that helps. */
  examples?: string[];
}

/** One kind of data: `kept` of `of` made it whole; `dropped` says what was dropped or cut short, and why. */
export interface KindReport {
  kept: number;
  of: number;
  dropped: DroppedItems[];
}

export type ReportedKind = "cookies" | "origins" | "extensions" | "passkeys";

export interface StateReport {
  /** True only when every source was read and nothing was dropped. */
  complete: boolean;
  cookies: KindReport;
  origins: KindReport;
  extensions: KindReport;
  /** Credentials of the virtual authenticator (counts and RP ids only: never a key). */
  passkeys: KindReport;
  /** Sources that could not be read, and what was tried. */
  warnings: string[];
}

/** A kind of which `kept` of `of` made it; reasons with a zero count are left out. */
export function kindReport(kept: number, of: number, dropped: readonly DroppedItems[]): KindReport {
  return { kept, of, dropped: dropped.filter((item) => item.count > 0) };
}

/** Assembles a report; `complete` follows from its parts. */
export function stateReport(parts: Omit<StateReport, "complete">): StateReport {
  const complete =
    parts.warnings.length === 0 &&
    [parts.cookies, parts.origins, parts.extensions, parts.passkeys].every(
      (kind) => kind.dropped.length === 0,
    );
  return { complete, ...parts };
}
