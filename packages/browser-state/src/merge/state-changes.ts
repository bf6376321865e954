import type { BrowserState } from "../state.js";
import { ownerOfUnit, type StateUnits, type UnitMap, unitsOf } from "./state-units.js";

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
  const b = unitsOf(before);
  const a = unitsOf(after);
  return {
    cookies: compareGroups(
      groupBy(b.cookie, (key) => key),
      groupBy(a.cookie, (key) => key),
    ),
    origins: compareGroups(originGroups(b), originGroups(a)),
    extensions: compareGroups(extensionGroups(b), extensionGroups(a)),
  };
}

/** A group's units as one comparable fingerprint: its unit keys and canonical values in order. */
type Groups = Map<string, string[]>;

function groupBy(units: UnitMap, groupOf: (key: string) => string, into: Groups = new Map()): Groups {
  for (const [key, unit] of units) {
    const group = groupOf(key);
    let parts = into.get(group);
    if (parts === undefined) {
      parts = [];
      into.set(group, parts);
    }
    parts.push(key, unit.canonical);
  }
  return into;
}

function originGroups(units: StateUnits): Groups {
  const groups: Groups = new Map();
  groupBy(units.storageItem, ownerOfUnit, groups);
  groupBy(units.indexedDbSchema, ownerOfUnit, groups);
  groupBy(units.indexedDbRecord, ownerOfUnit, groups);
  return groups;
}

function extensionGroups(units: StateUnits): Groups {
  const groups: Groups = new Map();
  groupBy(units.extension, ownerOfUnit, groups);
  groupBy(units.extensionStorage, ownerOfUnit, groups);
  return groups;
}

function compareGroups(before: Groups, after: Groups): ChangeCounts {
  const counts: ChangeCounts = { added: 0, changed: 0, removed: 0 };
  for (const [group, parts] of after) {
    const previous = before.get(group);
    if (previous === undefined) counts.added++;
    else if (fingerprint(previous) !== fingerprint(parts)) counts.changed++;
  }
  for (const group of before.keys()) if (!after.has(group)) counts.removed++;
  return counts;
}

/** Order-independent: the same units captured in another order are no change. */
function fingerprint(parts: string[]): string {
  const pairs: string[] = [];
  for (let i = 0; i < parts.length; i += 2) pairs.push(`${parts[i]}\u0000${parts[i + 1]}`);
  return pairs.sort().join("\u0001");
}
