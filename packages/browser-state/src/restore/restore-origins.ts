import type { OriginState } from "@webrun/state";
import type { InterceptedTab } from "../cdp/intercepted-tab.js";
import { writeStorageExpression } from "./write-storage-script.js";

export interface RestoreParts {
  localStorage: boolean;
  sessionStorage: boolean;
  indexedDB: boolean;
}

/** Whether an origin has anything to write for the chosen parts. */
export function needsVisit(origin: OriginState, parts: RestoreParts): boolean {
  return (
    (parts.localStorage && origin.localStorage.length > 0) ||
    (parts.sessionStorage && origin.sessionStorage.length > 0) ||
    (parts.indexedDB && origin.indexedDB.length > 0)
  );
}

/**
 * Writes the chosen storage parts of each origin by visiting its storage key
 * in one intercepted tab, one origin after another. Returns how many
 * origins were visited.
 */
export async function writeOriginsThroughTab(
  tab: InterceptedTab,
  origins: readonly OriginState[],
  parts: RestoreParts,
): Promise<number> {
  let visited = 0;
  for (const origin of origins) {
    if (!needsVisit(origin, parts)) continue;
    const sessionId = await tab.visit(origin);
    await tab.evaluate<number>(
      sessionId,
      writeStorageExpression({
        ...(parts.localStorage ? { localStorage: origin.localStorage } : {}),
        ...(parts.sessionStorage ? { sessionStorage: origin.sessionStorage } : {}),
        ...(parts.indexedDB ? { indexedDB: origin.indexedDB } : {}),
      }),
    );
    visited++;
  }
  return visited;
}
