import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/merge/canonical-json.js";
import { type MergeReport, mergeStates } from "../../src/merge/merge-states.js";
import { type UnitKind, unitsOf } from "../../src/merge/state-units.js";
import { type BrowserState, emptyBrowserState } from "../../src/state.js";
import {
  builders,
  cookie,
  database,
  earlier,
  extension,
  later,
  now,
  origin,
  stateOf,
  type Variant,
} from "./unit-fixtures.js";

function unitValues(state: BrowserState, kind: UnitKind): string[] {
  return [...unitsOf(state)[kind].values()].map((unit) => canonicalJson(unit.value));
}

interface Case {
  name: string;
  base: Variant;
  ours: Variant;
  theirs: Variant;
  /** Which side was captured later. */
  laterSide: "ours" | "theirs" | "tie";
  expected: Variant;
  conflict: boolean;
}

const cases: Case[] = [
  {
    name: "unchanged on both sides",
    base: "A",
    ours: "A",
    theirs: "A",
    laterSide: "ours",
    expected: "A",
    conflict: false,
  },
  {
    name: "changed on ours only",
    base: "A",
    ours: "B",
    theirs: "A",
    laterSide: "theirs",
    expected: "B",
    conflict: false,
  },
  {
    name: "changed on theirs only",
    base: "A",
    ours: "A",
    theirs: "B",
    laterSide: "ours",
    expected: "B",
    conflict: false,
  },
  {
    name: "changed alike on both",
    base: "A",
    ours: "B",
    theirs: "B",
    laterSide: "ours",
    expected: "B",
    conflict: false,
  },
  {
    name: "changed on both, ours later",
    base: "A",
    ours: "B",
    theirs: "C",
    laterSide: "ours",
    expected: "B",
    conflict: true,
  },
  {
    name: "changed on both, theirs later",
    base: "A",
    ours: "B",
    theirs: "C",
    laterSide: "theirs",
    expected: "C",
    conflict: true,
  },
  {
    name: "changed on both, a tie goes to ours",
    base: "A",
    ours: "B",
    theirs: "C",
    laterSide: "tie",
    expected: "B",
    conflict: true,
  },
  {
    name: "removed on ours, unchanged on theirs",
    base: "A",
    ours: undefined,
    theirs: "A",
    laterSide: "theirs",
    expected: undefined,
    conflict: false,
  },
  {
    name: "removed on theirs, unchanged on ours",
    base: "A",
    ours: "A",
    theirs: undefined,
    laterSide: "ours",
    expected: undefined,
    conflict: false,
  },
  {
    name: "removed on both",
    base: "A",
    ours: undefined,
    theirs: undefined,
    laterSide: "ours",
    expected: undefined,
    conflict: false,
  },
  {
    name: "added on ours",
    base: undefined,
    ours: "B",
    theirs: undefined,
    laterSide: "theirs",
    expected: "B",
    conflict: false,
  },
  {
    name: "added on theirs",
    base: undefined,
    ours: undefined,
    theirs: "C",
    laterSide: "ours",
    expected: "C",
    conflict: false,
  },
  {
    name: "added differently on both, theirs later",
    base: undefined,
    ours: "B",
    theirs: "C",
    laterSide: "theirs",
    expected: "C",
    conflict: true,
  },
  {
    name: "removed on ours, changed on theirs later",
    base: "A",
    ours: undefined,
    theirs: "C",
    laterSide: "theirs",
    expected: "C",
    conflict: true,
  },
  {
    name: "removed on ours later, changed on theirs",
    base: "A",
    ours: undefined,
    theirs: "C",
    laterSide: "ours",
    expected: undefined,
    conflict: true,
  },
  {
    name: "changed on ours later, removed on theirs",
    base: "A",
    ours: "B",
    theirs: undefined,
    laterSide: "ours",
    expected: "B",
    conflict: true,
  },
];

const kinds = Object.keys(builders) as UnitKind[];

describe.each(kinds)("mergeStates: %s units", (kind) => {
  it.each(cases)("$name", ({ base, ours, theirs, laterSide, expected, conflict }) => {
    const oursAt = laterSide === "theirs" ? earlier : later;
    const theirsAt = laterSide === "ours" ? earlier : later;
    const { state, report } = mergeStates({
      base: stateOf(kind, base, earlier),
      ours: stateOf(kind, ours, oursAt),
      theirs: stateOf(kind, theirs, theirsAt),
      now,
    });
    expect(unitValues(state, kind)).toEqual(unitValues(stateOf(kind, expected, earlier), kind));
    expect(report.conflictsByKind[kind]).toBe(conflict ? 1 : 0);
    expect(report.conflicts).toBe(conflict ? 1 : 0);
  });
});

describe("mergeStates", () => {
  const at = (capturedAt: string, state: Partial<BrowserState>): BrowserState => ({
    ...emptyBrowserState(),
    capturedAt,
    ...state,
  });

  it("keeps both sessions' new logins and the later change to a shared origin", () => {
    const shared = (value: string) =>
      origin({ origin: "https://shared.test", localStorage: [{ name: "k", value }] });
    const base = at(earlier, { origins: [shared("0")] });
    const first = at("2026-12-01T10:30:00Z", {
      cookies: [cookie("a", "1", { domain: "a.test" })],
      origins: [shared("1")],
    });
    const second = at("2026-12-01T10:40:00Z", {
      cookies: [cookie("b", "2", { domain: "b.test" })],
      origins: [shared("2")],
    });
    // `first` saved at base; `second` merges into it.
    const { state, report } = mergeStates({ base, ours: second, theirs: first, now });
    expect(state.cookies.map((c) => c.domain).sort()).toEqual(["a.test", "b.test"]);
    expect(state.origins).toEqual([shared("2")]);
    expect(report.conflicts).toBe(1);
    expect(report.conflictWinner).toBe("ours");
  });

  it("folds many sessions' saves into one head with nothing lost", () => {
    const base = at(earlier, {});
    let head = base;
    for (let i = 0; i < 8; i++) {
      const session = at(`2026-12-01T10:0${i}:00Z`, {
        cookies: [cookie(`s${i}`, String(i), { domain: `site${i}.test` })],
        origins: [
          origin({ origin: `https://site${i}.test`, localStorage: [{ name: "user", value: String(i) }] }),
        ],
      });
      head = mergeStates({ base, ours: session, theirs: head, now }).state;
    }
    expect(head.cookies.map((c) => c.name).sort()).toEqual(["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7"]);
    expect(head.origins).toHaveLength(8);
  });

  it("drops expired cookies and never resurrects them, and says how many", () => {
    const expired = cookie("old", "x", { expires: now.getTime() / 1000 - 60 });
    const session = cookie("sess", "y", { expires: -1, session: true });
    const base = at(earlier, { cookies: [expired, session] });
    const { state, report } = mergeStates({
      base,
      ours: at(later, { cookies: [expired, session, cookie("new-but-expired", "z", { expires: 1 })] }),
      theirs: at(earlier, { cookies: [expired, session] }),
      now,
    });
    expect(state.cookies.map((c) => c.name)).toEqual(["sess"]);
    expect(report.dropped.expiredCookies).toBe(2);
  });

  it("takes the higher IndexedDB version when both sides changed a schema, whichever was captured later", () => {
    const schema = (version: number, index: string) =>
      at(version === 1 ? earlier : version === 2 ? later : earlier, {
        origins: [origin({ indexedDB: [{ ...database([], index), version }] })],
      });
    const { state } = mergeStates({
      base: schema(1, "a"),
      ours: schema(2, "b"),
      theirs: schema(3, "c"),
      now,
    });
    expect(state.origins[0]?.indexedDB[0]?.version).toBe(3);
    expect(state.origins[0]?.indexedDB[0]?.objectStores[0]?.indexes[0]?.name).toBe("c");
  });

  it("reports records whose database the merge removed instead of keeping them silently", () => {
    const withRecords = (records: { key: unknown; value: unknown }[]) => [
      origin({ indexedDB: [database(records)] }),
    ];
    const base = at(earlier, { origins: withRecords([]) });
    const ours = at(later, { origins: withRecords([{ key: 1, value: "kept?" }]) });
    const theirs = at(earlier, { origins: [] });
    const { state, report } = mergeStates({ base, ours, theirs, now });
    expect(state.origins).toEqual([]);
    expect(report.dropped.indexedDbRecordsWithoutStore).toBe(1);
  });

  it("is deterministic and keeps partitioned storage apart from first-party storage", () => {
    const partitioned = origin({
      topLevelSite: "https://top.test",
      localStorage: [{ name: "k", value: "p" }],
    });
    const firstParty = origin({ localStorage: [{ name: "k", value: "f" }] });
    const input = {
      base: at(earlier, {}),
      ours: at(later, { origins: [partitioned] }),
      theirs: at(earlier, { origins: [firstParty] }),
      now,
    };
    const once = mergeStates(input);
    expect(JSON.stringify(mergeStates(input))).toBe(JSON.stringify(once));
    expect(once.state.origins).toEqual([firstParty, partitioned]);
    const noConflicts: MergeReport["conflicts"] = once.report.conflicts;
    expect(noConflicts).toBe(0);
  });

  it("keeps a key named __proto__ as data", () => {
    const withProto = JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const state = at(later, {
      extensions: [{ ...extension, storage: { local: withProto, sync: {} } }],
    });
    const { state: merged } = mergeStates({
      base: at(earlier, {}),
      ours: state,
      theirs: at(earlier, {}),
      now,
    });
    expect(Object.keys(merged.extensions[0]?.storage.local ?? {})).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
