import { type BrowserState, type ExtensionState, emptyBrowserState, type OriginState } from "../state.js";
import { storageKeyOf } from "../storage-key.js";
import { sameValue } from "./same-value.js";
import { cookieKey, sameUnit, type UnitMap, unitsOf } from "./state-units.js";

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
 * records did; an extension when its package or any `chrome.storage` entry
 * did. A group equal as a whole is unchanged without being taken apart.
 */
export function stateChanges(before: BrowserState, after: BrowserState): StateChanges {
  const cookies = (state: BrowserState) =>
    new Map(state.cookies.map((cookie) => [cookieKey(cookie), cookie]));
  return {
    cookies: countChanges(cookies(before), cookies(after), sameValue),
    origins: countChanges(
      groups(before.origins, storageKeyOf),
      groups(after.origins, storageKeyOf),
      sameOrigin,
    ),
    extensions: countChanges(
      groups(before.extensions, (e) => e.id),
      groups(after.extensions, (e) => e.id),
      sameExtension,
    ),
  };
}

function groups<G>(list: G[], keyOf: (group: G) => string): Map<string, G> {
  return new Map(list.map((group) => [keyOf(group), group]));
}

function countChanges<G>(
  before: Map<string, G>,
  after: Map<string, G>,
  same: (a: G, b: G) => boolean,
): ChangeCounts {
  const counts: ChangeCounts = { added: 0, changed: 0, removed: 0 };
  for (const [key, group] of after) {
    const previous = before.get(key);
    if (previous === undefined) counts.added++;
    else if (!same(previous, group)) counts.changed++;
  }
  for (const key of before.keys()) if (!after.has(key)) counts.removed++;
  return counts;
}

/** Equal as a whole, or unit by unit (the same items captured in another order). */
function sameOrigin(a: OriginState, b: OriginState): boolean {
  if (sameValue(a, b)) return true;
  const [ua, ub] = [unitsOf(stateWith({ origins: [a] })), unitsOf(stateWith({ origins: [b] }))];
  return (
    sameUnits(ua.storageItem, ub.storageItem) &&
    sameUnits(ua.indexedDbSchema, ub.indexedDbSchema) &&
    sameUnits(ua.indexedDbRecord, ub.indexedDbRecord)
  );
}

function sameExtension(a: ExtensionState, b: ExtensionState): boolean {
  if (sameValue(a, b)) return true;
  const [ua, ub] = [unitsOf(stateWith({ extensions: [a] })), unitsOf(stateWith({ extensions: [b] }))];
  return sameUnits(ua.extension, ub.extension) && sameUnits(ua.extensionStorage, ub.extensionStorage);
}

function stateWith(parts: Partial<BrowserState>): BrowserState {
  return { ...emptyBrowserState(), ...parts };
}

function sameUnits(a: UnitMap, b: UnitMap): boolean {
  if (a.size !== b.size) return false;
  for (const [key, unit] of a) if (!sameUnit(unit, b.get(key))) return false;
  return true;
}
