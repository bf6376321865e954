import type { BrowserState } from "../state.js";
import {
  assembleState,
  type IndexedDbSchemaUnit,
  type StateUnits,
  type UnitKind,
  unitKinds,
  unitsOf,
} from "./state-units.js";
import { type ConflictRule, mergeUnits } from "./three-way.js";

export interface MergeStatesInput {
  /** The state both sides started from. */
  base: BrowserState;
  /** The save being merged (a session that started at `base`). */
  ours: BrowserState;
  /** What was saved since `base`: the current head. */
  theirs: BrowserState;
  /** Cookies that expired by then are dropped. */
  now?: Date;
}

export interface MergeReport {
  /** Units changed on both sides in different ways; each was resolved by the rule below. */
  conflicts: number;
  conflictsByKind: Record<UnitKind, number>;
  /** Which side won conflicts: the one captured later, ties to ours (the later save). */
  conflictWinner: "ours" | "theirs";
  /** Not carried into the result, and why. */
  dropped: {
    /** Persistent cookies whose expiry had passed: never resurrected by a merge. */
    expiredCookies: number;
    /** Records of an object store that the merged schema no longer has. */
    indexedDbRecordsWithoutStore: number;
    /** chrome.storage entries of an extension that the merged state no longer has. */
    extensionStorageWithoutExtension: number;
  };
}

export interface MergedState {
  state: BrowserState;
  report: MergeReport;
}

function capturedAtMs(state: BrowserState): number {
  return state.capturedAt === undefined ? Number.NEGATIVE_INFINITY : Date.parse(state.capturedAt);
}

/**
 * Merges `base → ours` into `theirs`, unit by unit (see `state-units.ts`).
 * Deterministic: the same three documents always give the same result.
 *
 * A unit changed on both sides takes the side captured later (ties go to
 * ours, the later save). An IndexedDB schema changed on both sides takes the
 * higher database version first, since Chromium only ever upgrades it.
 */
export function mergeStates({ base, ours, theirs, now = new Date() }: MergeStatesInput): MergedState {
  const winner = capturedAtMs(ours) >= capturedAtMs(theirs) ? "ours" : "theirs";
  const later: ConflictRule<unknown> = () => winner;
  const newerSchema: ConflictRule<IndexedDbSchemaUnit> = (o, t) => {
    if (o === undefined || t === undefined) return winner;
    if (o.value.version !== t.value.version) return o.value.version > t.value.version ? "ours" : "theirs";
    return winner;
  };

  const b = unitsOf(base);
  const o = unitsOf(ours);
  const t = unitsOf(theirs);
  const conflictsByKind = Object.fromEntries(unitKinds.map((kind) => [kind, 0])) as Record<UnitKind, number>;
  const mergeKind = <K extends UnitKind>(kind: K, rule: ConflictRule<never>): StateUnits[K] => {
    const result = mergeUnits(
      b[kind] as StateUnits[K],
      o[kind] as StateUnits[K],
      t[kind] as StateUnits[K],
      rule as ConflictRule<unknown>,
    );
    conflictsByKind[kind] = result.conflicts.length;
    return result.merged as StateUnits[K];
  };

  const merged: StateUnits = {
    cookie: mergeKind("cookie", later),
    storageItem: mergeKind("storageItem", later),
    indexedDbSchema: mergeKind("indexedDbSchema", newerSchema),
    indexedDbRecord: mergeKind("indexedDbRecord", later),
    extension: mergeKind("extension", later),
    extensionStorage: mergeKind("extensionStorage", later),
    origins: new Map([...b.origins, ...o.origins, ...t.origins]),
  };

  const nowSeconds = now.getTime() / 1000;
  let expiredCookies = 0;
  for (const [key, { value }] of merged.cookie) {
    if (!value.session && value.expires > 0 && value.expires <= nowSeconds) {
      merged.cookie.delete(key);
      expiredCookies++;
    }
  }

  const assembled = assembleState(merged);
  const newer = winner === "ours" ? ours : theirs;
  return {
    state: {
      version: theirs.version,
      ...(newer.capturedAt === undefined ? {} : { capturedAt: newer.capturedAt }),
      ...(newer.source === undefined ? {} : { source: newer.source }),
      cookies: assembled.cookies,
      origins: assembled.origins,
      extensions: assembled.extensions,
    },
    report: {
      conflicts: Object.values(conflictsByKind).reduce((sum, n) => sum + n, 0),
      conflictsByKind,
      conflictWinner: winner,
      dropped: {
        expiredCookies,
        indexedDbRecordsWithoutStore: assembled.orphans.indexedDbRecords,
        extensionStorageWithoutExtension: assembled.orphans.extensionStorage,
      },
    },
  };
}
