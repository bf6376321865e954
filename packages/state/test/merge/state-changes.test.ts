import { describe, expect, it } from "vitest";
import { stateChanges } from "../../src/merge/state-changes.js";
import { type BrowserState, type Cookie, emptyBrowserState } from "../../src/state.js";

function cookie(name: string, value: string): Cookie {
  return {
    name,
    value,
    domain: "a.test",
    path: "/",
    expires: -1,
    httpOnly: false,
    secure: true,
    session: true,
  };
}

function state(partial: Partial<BrowserState>): BrowserState {
  return { ...emptyBrowserState(), ...partial };
}

const extension = {
  id: "abcdefghijklmnopabcdefghijklmnop",
  name: "Test",
  version: "1.0",
  manifest: {},
  enabled: true,
  files: [],
};

describe("stateChanges", () => {
  it("counts cookies, origins and extensions added, changed and removed", () => {
    const before = state({
      cookies: [cookie("kept", "1"), cookie("changed", "1"), cookie("gone", "1")],
      origins: [
        {
          origin: "https://same.test",
          localStorage: [{ name: "k", value: "v" }],
          sessionStorage: [],
          indexedDB: [],
        },
        {
          origin: "https://edit.test",
          localStorage: [{ name: "k", value: "v" }],
          sessionStorage: [],
          indexedDB: [],
        },
        {
          origin: "https://drop.test",
          localStorage: [{ name: "k", value: "v" }],
          sessionStorage: [],
          indexedDB: [],
        },
      ],
      extensions: [{ ...extension, storage: { local: { a: 1 }, sync: {} } }],
    });
    const after = state({
      cookies: [cookie("new", "1"), cookie("changed", "2"), cookie("kept", "1")],
      origins: [
        {
          origin: "https://edit.test",
          localStorage: [],
          sessionStorage: [{ name: "k", value: "v" }],
          indexedDB: [],
        },
        {
          origin: "https://same.test",
          localStorage: [{ name: "k", value: "v" }],
          sessionStorage: [],
          indexedDB: [],
        },
        {
          origin: "https://new.test",
          localStorage: [{ name: "k", value: "v" }],
          sessionStorage: [],
          indexedDB: [],
        },
      ],
      extensions: [{ ...extension, storage: { local: { a: 2 }, sync: {} } }],
    });
    expect(stateChanges(before, after)).toEqual({
      cookies: { added: 1, changed: 1, removed: 1 },
      origins: { added: 1, changed: 1, removed: 1 },
      extensions: { added: 0, changed: 1, removed: 0 },
    });
  });

  it("sees no change in the same state captured in another order", () => {
    const items = [
      { name: "a", value: "1" },
      { name: "b", value: "2" },
    ];
    const one = state({
      cookies: [cookie("x", "1"), cookie("y", "2")],
      origins: [{ origin: "https://o.test", localStorage: items, sessionStorage: [], indexedDB: [] }],
    });
    const other = state({
      cookies: [cookie("y", "2"), cookie("x", "1")],
      origins: [
        { origin: "https://o.test", localStorage: [...items].reverse(), sessionStorage: [], indexedDB: [] },
      ],
    });
    const none = { added: 0, changed: 0, removed: 0 };
    expect(stateChanges(one, other)).toEqual({ cookies: none, origins: none, extensions: none });
  });
});
