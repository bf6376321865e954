import { describe, expect, it } from "vitest";
import { fromPlaywrightStorageState, toPlaywrightStorageState } from "../src/playwright/index.js";
import { type BrowserState, parseBrowserState } from "../src/state.js";
import { encodeTypedJson } from "../src/typed-json.js";

const state: BrowserState = parseBrowserState({
  version: 1,
  cookies: [
    {
      name: "sid",
      value: "s3cret",
      domain: "a.test",
      path: "/",
      expires: -1,
      httpOnly: true,
      secure: false,
      session: true,
      sameSite: "Lax",
    },
    {
      name: "chips",
      value: "1",
      domain: ".b.test",
      path: "/",
      expires: 1_900_000_000.5,
      httpOnly: false,
      secure: true,
      session: false,
      sameSite: "None",
      partitionKey: { topLevelSite: "https://a.test", hasCrossSiteAncestor: true },
    },
  ],
  origins: [
    {
      origin: "https://a.test",
      localStorage: [
        { name: "", value: "empty key" },
        { name: "日本 \ud800", value: "x".repeat(1000) },
      ],
      indexedDB: [
        {
          name: "db",
          version: 3,
          objectStores: [
            {
              name: "outOfLine",
              keyPath: null,
              autoIncrement: false,
              indexes: [{ name: "byTag", keyPath: ["tag", "n"], unique: false, multiEntry: false }],
              records: [
                {
                  key: encodeTypedJson(new Date(5)),
                  value: encodeTypedJson({ tag: "t", n: 1, when: new Date(7) }),
                },
                {
                  key: "plain",
                  value: encodeTypedJson({
                    map: new Map([[1, new Set(["a"])]]),
                    bytes: new Uint8Array([1, 2, 255]),
                    big: 2n ** 70n,
                    nan: Number.NaN,
                    $type: "a plain key",
                  }),
                },
              ],
            },
            {
              name: "inline",
              keyPath: "id.inner",
              autoIncrement: false,
              indexes: [],
              records: [{ key: 42, value: { id: { inner: 42 }, text: "hi" } }],
            },
          ],
        },
      ],
    },
    {
      origin: "https://b.test",
      topLevelSite: "https://a.test",
      localStorage: [{ name: "p", value: "dropped" }],
    },
    { origin: "https://c.test", sessionStorage: [{ name: "s", value: "dropped" }] },
  ],
  extensions: [],
});

describe("Playwright storageState conversion", () => {
  it("keeps cookies, session flags, partition keys, first-party localStorage and typed IndexedDB", () => {
    const playwright = toPlaywrightStorageState(state);
    expect(playwright.cookies[0]).toEqual({
      name: "sid",
      value: "s3cret",
      domain: "a.test",
      path: "/",
      expires: -1,
      httpOnly: true,
      secure: false,
      sameSite: "Lax",
    });
    expect(playwright.cookies[1]).toMatchObject({
      partitionKey: "https://a.test",
      _crHasCrossSiteAncestor: true,
    });
    // Partitioned and sessionStorage-only origins have no place in Playwright's document.
    expect(playwright.origins.map((o) => o.origin)).toEqual(["https://a.test"]);
    const stores = playwright.origins[0]?.indexedDB?.[0]?.stores;
    expect(stores?.[0]?.records[0]).toEqual({
      keyEncoded: { d: "1970-01-01T00:00:00.005Z" },
      valueEncoded: expect.anything(),
    });
    expect(stores?.[1]?.records[0]).toEqual({ value: { id: { inner: 42 }, text: "hi" } });
    expect(stores?.[1]?.keyPath).toBe("id.inner");

    const back = fromPlaywrightStorageState(JSON.parse(JSON.stringify(playwright)));
    expect(back.cookies).toEqual(state.cookies);
    expect(back.origins).toEqual([state.origins[0]]);
  });

  it("drops what Playwright cannot carry: priority, source scheme and port, sessionStorage, extensions", () => {
    const rich = parseBrowserState({
      version: 1,
      cookies: [
        {
          ...state.cookies[0],
          priority: "High",
          sourceScheme: "Secure",
          sourcePort: 443,
        },
      ],
      origins: [
        {
          origin: "https://a.test",
          localStorage: [{ name: "k", value: "v" }],
          sessionStorage: [{ name: "s", value: "1" }],
        },
      ],
    });
    const back = fromPlaywrightStorageState(toPlaywrightStorageState(rich));
    expect(back.cookies[0]).not.toHaveProperty("priority");
    expect(back.cookies[0]).not.toHaveProperty("sourcePort");
    expect(back.origins[0]?.sessionStorage).toEqual([]);
  });

  it("reports the path of a bad field and never echoes cookie values", () => {
    const bad = {
      cookies: [{ name: "a", value: "TOPSECRET", domain: "x", path: "/", expires: -1, httpOnly: 1 }],
      origins: [],
    };
    const error = (() => {
      try {
        fromPlaywrightStorageState(bad);
      } catch (caught) {
        return caught as { code: string; issues: { path: string }[]; message: string };
      }
      throw new Error("expected a failure");
    })();
    expect(error.code).toBe("PLAYWRIGHT_STATE_INVALID");
    expect(error.issues.map((i) => i.path)).toContain("cookies.0.httpOnly");
    expect(JSON.stringify(error.issues) + error.message).not.toContain("TOPSECRET");

    // Valid for Playwright, invalid as a BrowserState: the path still points into the input.
    expect(() =>
      fromPlaywrightStorageState({
        cookies: [],
        origins: [{ origin: "https://a.test/path", localStorage: [] }],
      }),
    ).toThrow(/origins\.0\.origin/);
  });
});
