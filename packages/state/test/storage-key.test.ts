import { describe, expect, it } from "vitest";
import { parseStorageKey, storageKeyOf } from "../src/index.js";

describe("storage keys", () => {
  it("parses first-party and partitioned keys and refuses what BrowserState cannot hold", () => {
    expect(parseStorageKey("https://a.test")).toEqual({ origin: "https://a.test" });
    expect(parseStorageKey("https://a.test:8443/")).toEqual({ origin: "https://a.test:8443" });
    expect(parseStorageKey("https://b.test:8443/^0https://a.test")).toEqual({
      origin: "https://b.test:8443",
      topLevelSite: "https://a.test",
    });
    for (const unsupported of [
      "https://a.test/^31", // same-site top level, cross-site ancestor
      "https://a.test/^112345^267890", // nonce (fenced frame, credentialless iframe)
      "https://b.test/^0https://a.test^31",
      "https://b.test/^4123^5456^6https://a.test", // opaque top-level site
      "chrome-extension://abcdefghijklmnopabcdefghijklmnop",
      "file://",
      "https://a.test/path",
      "",
    ]) {
      expect(parseStorageKey(unsupported), unsupported).toBeUndefined();
    }
  });
});

describe("storageKeyOf", () => {
  it("is the origin for first-party storage and origin/^0site when partitioned", () => {
    expect(storageKeyOf({ origin: "https://a.test" })).toBe("https://a.test");
    expect(storageKeyOf({ origin: "https://a.test", topLevelSite: "https://a.test" })).toBe("https://a.test");
    const key = storageKeyOf({ origin: "https://b.test:8443", topLevelSite: "https://a.test" });
    expect(key).toBe("https://b.test:8443/^0https://a.test");
    expect(parseStorageKey(key)).toEqual({ origin: "https://b.test:8443", topLevelSite: "https://a.test" });
  });
});
