import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { diffFiles, diffStates, type StateDiff } from "../../src/merge/state-diff.js";
import type { UnitKind } from "../../src/merge/state-units.js";
import { emptyBrowserState } from "../../src/state.js";
import { builders, cookie, earlier, extension, origin, stateOf, type Variant } from "./unit-fixtures.js";

const hash = (value: string) => createHmac("sha256", "test key").update(value).digest("hex").slice(0, 12);

/** The one change a diff of `kind` from `before` to `after` must report, in the diff's own words. */
function reported(diff: StateDiff, kind: UnitKind): string[] {
  const lines: string[] = [];
  const changes = (what: string, c: { added: unknown[]; removed: unknown[]; changed: unknown[] }) => {
    for (const _ of c.added) lines.push(`${what} added`);
    for (const _ of c.removed) lines.push(`${what} removed`);
    for (const _ of c.changed) lines.push(`${what} changed`);
  };
  if (kind === "cookie") changes("cookie", diff.cookies);
  if (kind === "storageItem") for (const s of diff.storage) changes(`${s.area} item`, s);
  for (const db of diff.indexedDB) {
    if (kind === "indexedDbSchema" && db.schemaChanged)
      lines.push(
        `database ${db.versionBefore === undefined ? "added" : db.versionAfter === undefined ? "removed" : "changed"}`,
      );
    if (kind === "indexedDbRecord")
      for (const store of db.stores) {
        for (let i = 0; i < store.added; i++) lines.push("record added");
        for (let i = 0; i < store.removed; i++) lines.push("record removed");
        for (let i = 0; i < store.changed; i++) lines.push("record changed");
      }
  }
  for (const extension of diff.extensions) {
    if (kind === "extension" && extension.packageChanged)
      lines.push(
        `extension ${extension.versionBefore === undefined ? "added" : extension.versionAfter === undefined ? "removed" : "changed"}`,
      );
    if (kind === "extensionStorage") changes("chrome.storage entry", extension.storage);
  }
  return lines;
}

const noun: Record<UnitKind, string> = {
  cookie: "cookie",
  storageItem: "sessionStorage item",
  indexedDbSchema: "database",
  indexedDbRecord: "record",
  extension: "extension",
  extensionStorage: "chrome.storage entry",
};

const transitions: { before: Variant; after: Variant; change: string | undefined }[] = [
  { before: undefined, after: "A", change: "added" },
  { before: "A", after: undefined, change: "removed" },
  { before: "A", after: "B", change: "changed" },
  { before: "A", after: "A", change: undefined },
];

describe.each(Object.keys(builders) as UnitKind[])("diffStates: %s units", (kind) => {
  it.each(transitions)("$before → $after", ({ before, after, change }) => {
    const diff = diffStates(stateOf(kind, before, earlier), stateOf(kind, after, earlier), hash);
    expect(reported(diff, kind)).toEqual(change === undefined ? [] : [`${noun[kind]} ${change}`]);
  });
});

describe("diffStates", () => {
  it("never shows a value: a change carries keyed hashes that match across diffs", () => {
    const secret = "s3cr3t-session-token";
    const one = { ...emptyBrowserState(), ...builders.cookie("A") };
    const two = {
      ...emptyBrowserState(),
      cookies: [{ ...builders.cookie("A").cookies?.[0], value: secret }],
    };
    const diff = diffStates(one as never, two as never, hash);
    expect(JSON.stringify(diff)).not.toContain(secret);
    const [change] = diff.cookies.changed;
    expect(change).toMatchObject({ name: "sid", domain: ".example.test", path: "/" });
    expect(change?.before).toMatch(/^[0-9a-f]{12}$/);
    expect(change?.before).not.toBe(change?.after);
    expect(diffStates(two as never, one as never, hash).cookies.changed[0]?.before).toBe(change?.after);
  });

  it("reports an IndexedDB store's record counts on both sides", () => {
    const diff = diffStates(
      stateOf("indexedDbRecord", undefined, earlier),
      stateOf("indexedDbRecord", "A", earlier),
      hash,
    );
    expect(diff.indexedDB).toEqual([
      {
        storageKey: "https://app.example.test",
        database: "db",
        versionBefore: 1,
        versionAfter: 1,
        schemaChanged: false,
        stores: [{ name: "store", recordsBefore: 0, recordsAfter: 1, added: 1, removed: 0, changed: 0 }],
      },
    ]);
  });
});

describe("diffStates: the keys a unit is reported by", () => {
  const sha = (c: string) => c.repeat(64);
  const file = (path: string, digest: string) => ({ path, size: 1, sha256: sha(digest) });
  const withFiles = (files: ReturnType<typeof file>[]) => ({
    ...emptyBrowserState(),
    extensions: [{ ...extension, files, storage: { local: {}, sync: {} } }],
  });

  it("names an extension's files added, removed and changed by SHA-256, without the digests", () => {
    const diff = diffStates(
      withFiles([file("a.js", "a"), file("b.js", "b")]),
      withFiles([file("b.js", "c"), file("c.js", "c")]),
      hash,
    );
    const [only] = diff.extensions;
    expect(only?.packageChanged).toBe(true);
    expect(only?.files).toMatchObject({
      added: [{ path: "c.js" }],
      removed: [{ path: "a.js" }],
      changed: [
        { path: "b.js", before: hash(JSON.stringify(sha("b"))), after: hash(JSON.stringify(sha("c"))) },
      ],
    });
    expect(JSON.stringify(diff)).not.toContain(sha("c"));
  });

  it("keeps an unchanged file out of the list", () => {
    const diff = diffStates(
      withFiles([file("a.js", "a")]),
      withFiles([file("a.js", "a"), file("b.js", "b")]),
      hash,
    );
    expect(diff.extensions[0]?.files).toEqual({ added: [{ path: "b.js" }], removed: [], changed: [] });
  });

  it("reports a cookie by name, domain, path and partition", () => {
    const partitioned = cookie("sid", "A", {
      partitionKey: { topLevelSite: "https://top.test", hasCrossSiteAncestor: false },
    });
    const diff = diffStates(
      { ...emptyBrowserState(), cookies: [cookie("sid", "A")] },
      { ...emptyBrowserState(), cookies: [cookie("sid", "A"), partitioned] },
      hash,
    );
    expect(diff.cookies).toEqual({
      added: [{ name: "sid", domain: ".example.test", path: "/", partition: "https://top.test" }],
      removed: [],
      changed: [],
    });
  });

  it("reports storage items per origin and area", () => {
    const diff = diffStates(
      { ...emptyBrowserState(), origins: [origin({ localStorage: [{ name: "theme", value: "dark" }] })] },
      {
        ...emptyBrowserState(),
        origins: [
          origin({ localStorage: [{ name: "theme", value: "light" }] }),
          origin({ origin: "https://other.test", sessionStorage: [{ name: "tab", value: "1" }] }),
        ],
      },
      hash,
    );
    expect(diff.storage).toMatchObject([
      { storageKey: "https://app.example.test", area: "localStorage", changed: [{ name: "theme" }] },
      { storageKey: "https://other.test", area: "sessionStorage", added: [{ name: "tab" }] },
    ]);
  });
});

describe("diffFiles", () => {
  it("compares files by path and digest", () => {
    const entry = (path: string, digest: string) => ({ path, sha256: digest.repeat(64) });
    expect(
      diffFiles(
        [entry("Default/Cookies", "a"), entry("Local State", "b")],
        [entry("Default/Cookies", "c"), entry("Local State", "b"), entry("Default/Preferences", "d")],
        hash,
      ),
    ).toEqual({
      added: [{ path: "Default/Preferences" }],
      removed: [],
      changed: [
        {
          path: "Default/Cookies",
          before: hash(JSON.stringify("a".repeat(64))),
          after: hash(JSON.stringify("c".repeat(64))),
        },
      ],
    });
  });
});
