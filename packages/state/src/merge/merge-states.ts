import type { BrowserState, ExtensionState } from "../state.js";
import { storageKeyOf } from "../storage-key.js";
import { mergePasskeys } from "./merge-passkeys.js";
import { sameValue } from "./same-value.js";
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

  // Whole origins and extensions that only one side changed are settled
  // without being taken apart; only those changed on both sides go unit by unit.
  const origins = settleGroups(storageKeyOf, base.origins, ours.origins, theirs.origins);
  const extensions = settleGroups(
    (e: ExtensionState) => e.id,
    base.extensions,
    ours.extensions,
    theirs.extensions,
  );
  const contested = (state: BrowserState, side: "base" | "ours" | "theirs"): BrowserState => ({
    ...state,
    origins: origins.contested[side],
    extensions: extensions.contested[side],
  });
  const b = unitsOf(contested(base, "base"));
  const o = unitsOf(contested(ours, "ours"));
  const t = unitsOf(contested(theirs, "theirs"));
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
  const webauthn = mergePasskeys(base.webauthn, ours.webauthn, theirs.webauthn, winner);
  return {
    state: {
      version: theirs.version,
      ...(newer.capturedAt === undefined ? {} : { capturedAt: newer.capturedAt }),
      ...(newer.source === undefined ? {} : { source: newer.source }),
      cookies: assembled.cookies,
      origins: origins.inOrder(new Map(assembled.origins.map((origin) => [storageKeyOf(origin), origin]))),
      extensions: extensions.inOrder(
        new Map(assembled.extensions.map((extension) => [extension.id, extension])),
      ),
      ...(webauthn === undefined ? {} : { webauthn }),
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

/**
 * Sorts groups (an origin's storage, an extension) into those settled whole —
 * unchanged on one side, so the other side's group is the answer — and those
 * changed on both sides, which are merged unit by unit. `inOrder` lists the
 * result in theirs' order, then ours' new groups, as the unit merge does.
 */
function settleGroups<G>(keyOf: (group: G) => string, base: G[], ours: G[], theirs: G[]) {
  const byKey = (groups: G[]) => new Map(groups.map((group) => [keyOf(group), group]));
  const b = byKey(base);
  const o = byKey(ours);
  const t = byKey(theirs);
  const order = [...t.keys(), ...[...o.keys()].filter((key) => !t.has(key))];
  const settled = new Map<string, G | undefined>();
  const contested = { base: [] as G[], ours: [] as G[], theirs: [] as G[] };
  for (const key of order) {
    const [bg, og, tg] = [b.get(key), o.get(key), t.get(key)];
    if (sameValue(og, bg)) settled.set(key, tg);
    else if (sameValue(tg, bg) || sameValue(tg, og)) settled.set(key, og);
    else {
      if (bg !== undefined) contested.base.push(bg);
      if (og !== undefined) contested.ours.push(og);
      if (tg !== undefined) contested.theirs.push(tg);
    }
  }
  return {
    contested,
    inOrder(mergedByKey: Map<string, G>): G[] {
      const result: G[] = [];
      for (const key of order) {
        const group = settled.has(key) ? settled.get(key) : mergedByKey.get(key);
        if (group !== undefined) result.push(group);
      }
      return result;
    },
  };
}
