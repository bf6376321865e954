import type { BrowserState } from "../state.js";
import { diffStates } from "./state-diff.js";
import { ownerOfUnit, type UnitMap, unitsOf } from "./state-units.js";

export interface ChangeCounts {
  added: number;
  changed: number;
  removed: number;
}

/** How many cookies, origins (storage keys) and extensions differ from `before` to `after`. */
export interface StateChanges {
  cookies: ChangeCounts;
  origins: ChangeCounts;
  extensions: ChangeCounts;
}

/**
 * Counts what changed between two states, by the same units a merge uses:
 * an origin changed when any of its storage items, IndexedDB schemas or
 * records did; an extension when its package or any `chrome.storage` entry did.
 */
export function stateChanges(before: BrowserState, after: BrowserState): StateChanges {
  const diff = diffStates(before, after, () => "");
  const b = unitsOf(before);
  const a = unitsOf(after);
  const originsBefore = owners(b.storageItem, b.indexedDbSchema, b.indexedDbRecord);
  const originsAfter = owners(a.storageItem, a.indexedDbSchema, a.indexedDbRecord);
  const extensionsBefore = owners(b.extension, b.extensionStorage);
  const extensionsAfter = owners(a.extension, a.extensionStorage);
  return {
    cookies: {
      added: diff.cookies.added.length,
      changed: diff.cookies.changed.length,
      removed: diff.cookies.removed.length,
    },
    origins: counts(
      originsBefore,
      originsAfter,
      new Set([...diff.storage, ...diff.indexedDB].map((d) => d.storageKey)),
    ),
    extensions: counts(extensionsBefore, extensionsAfter, new Set(diff.extensions.map((d) => d.id))),
  };
}

function owners(...maps: UnitMap[]): Set<string> {
  return new Set(maps.flatMap((map) => [...map.keys()].map(ownerOfUnit)));
}

function counts(before: Set<string>, after: Set<string>, differing: Set<string>): ChangeCounts {
  let added = 0;
  let changed = 0;
  for (const owner of after) {
    if (!before.has(owner)) added++;
    else if (differing.has(owner)) changed++;
  }
  return { added, changed, removed: [...before].filter((owner) => !after.has(owner)).length };
}
