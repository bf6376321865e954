import { sameUnit, type Unit, type UnitMap } from "./state-units.js";

/** Which side a unit changed on both sides comes from. */
export type ConflictRule<T> = (ours: Unit<T> | undefined, theirs: Unit<T> | undefined) => "ours" | "theirs";

export interface MergedUnits<T> {
  merged: UnitMap<T>;
  /** Keys changed on both sides in different ways. */
  conflicts: string[];
}

/**
 * Three-way merge of one kind of unit. `theirs` is what was saved since
 * `base`, `ours` the save being merged. A unit changed on one side only
 * takes that side (a removal is a change); changed on both sides to the
 * same thing is no conflict; otherwise `rule` picks the side and the key is
 * reported. The result lists theirs' keys in their order, then ours' new
 * ones, so it is deterministic and keeps the head's order stable.
 */
export function mergeUnits<T>(
  base: UnitMap<T>,
  ours: UnitMap<T>,
  theirs: UnitMap<T>,
  rule: ConflictRule<T>,
): MergedUnits<T> {
  const merged: UnitMap<T> = new Map();
  const conflicts: string[] = [];
  const decide = (key: string) => {
    const b = base.get(key);
    const o = ours.get(key);
    const t = theirs.get(key);
    let taken: Unit<T> | undefined;
    if (sameUnit(o, b)) taken = t;
    else if (sameUnit(t, b) || sameUnit(t, o)) taken = o;
    else {
      conflicts.push(key);
      taken = rule(o, t) === "ours" ? o : t;
    }
    if (taken !== undefined) merged.set(key, taken);
  };
  for (const key of theirs.keys()) decide(key);
  for (const key of ours.keys()) if (!theirs.has(key)) decide(key);
  // A key only in base was removed on both sides, or removed on one and
  // unchanged on the other: absent from the result either way.
  return { merged, conflicts };
}
