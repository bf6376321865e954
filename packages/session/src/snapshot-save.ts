import { isDeepStrictEqual } from "node:util";
import {
  type CaptureResult,
  originsWithUnsupportedValues,
  type SnapshotSeedResult,
} from "@webrun/browser-state";
import type { BrowserState } from "@webrun/state";
import type { SessionCapture } from "./backend.js";

/** What a session knows at close about the environment's storage snapshot. */
export interface SnapshotAtClose {
  /** Whether the head the session started from had a storage snapshot. */
  headHadSnapshot: boolean;
  /** What seeding did with it (`launchSeeded`'s `storageSnapshot`). */
  seeded: SnapshotSeedResult | undefined;
}

/**
 * Whether the session's profile holds the head's snapshot (or there was
 * none): only then is a fresh snapshot of it a true successor. A session
 * not seeded from it (another Chromium major, a domain filter) never saw
 * the head's service workers and OPFS: its own snapshot would lose them.
 */
export function mayRefreshSnapshot(at: SnapshotAtClose): boolean {
  return !at.headHadSnapshot || (at.seeded?.seeded.length ?? 0) > 0;
}

/**
 * What the save does with the storage snapshot, and the receipt's reason
 * when it is not replaced. A fresh snapshot replaces the head's. Without
 * one, the head's is kept — unless the session changed the IndexedDB of an
 * origin the head's snapshot carries (its origins with values JSON cannot
 * carry): seeded next time, the stale copy would override the newer
 * document, so the snapshot is dropped, and the reason says so.
 */
export function snapshotToSave(
  at: SnapshotAtClose,
  captured: CaptureResult,
  snapshotDir: string,
  seededState: BrowserState,
  headState: BrowserState,
): { snapshot?: SessionCapture["snapshot"]; reason?: string } {
  if (mayRefreshSnapshot(at)) {
    if (captured.snapshot) return { snapshot: { dir: snapshotDir } };
    if (captured.snapshotMissing === undefined) {
      if (!at.headHadSnapshot) return {};
      const reason =
        "the session's profile holds nothing a storage snapshot keeps any more (no service worker, OPFS or IndexedDB value JSON cannot carry)";
      return { snapshot: { drop: reason }, reason };
    }
  }
  if (!at.headHadSnapshot) return {};
  const why =
    captured.snapshotMissing !== undefined && mayRefreshSnapshot(at)
      ? `no fresh storage snapshot could be taken (${captured.snapshotMissing})`
      : `this session was not seeded from the storage snapshot (${at.seeded?.skipped[0] ?? "no snapshot seeded"}), so it cannot refresh it`;
  const changed = indexedDbChanged(seededState, captured.state, headState);
  if (changed.length > 0) {
    const reason =
      `dropped: ${why}, and it would override the newer IndexedDB this session saved for ${changed.join(", ")}; ` +
      "those origins keep their portable IndexedDB, without the values JSON cannot carry";
    return { snapshot: { drop: reason }, reason };
  }
  return {
    reason: `kept as it was: ${why}; this session changed none of the IndexedDB it carries, and its own service worker or OPFS changes, if any, were not saved`,
  };
}

/** First-party origins of the head's snapshot (those with values JSON cannot carry) whose IndexedDB the session changed. */
function indexedDbChanged(seeded: BrowserState, captured: BrowserState, head: BrowserState): string[] {
  const indexedDbOf = (state: BrowserState, origin: string) =>
    state.origins.find((entry) => entry.topLevelSite === undefined && entry.origin === origin)?.indexedDB ??
    [];
  return originsWithUnsupportedValues(head)
    .filter((entry) => entry.topLevelSite === undefined)
    .map((entry) => entry.origin)
    .filter((origin) => !isDeepStrictEqual(indexedDbOf(seeded, origin), indexedDbOf(captured, origin)));
}
