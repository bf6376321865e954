import { describe, expect, it } from "vitest";
import { decodeTypedJson, encodeTypedJson } from "../src/index.js";

const roundTrip = (value: unknown) => decodeTypedJson(JSON.parse(JSON.stringify(encodeTypedJson(value))));

describe("typed JSON", () => {
  it("keeps plain JSON as it is", () => {
    const plain = { a: [1, "two", null, true], b: { c: "d" } };
    expect(encodeTypedJson(plain)).toEqual(plain);
  });

  it("round-trips the structured-clone types IndexedDB holds", () => {
    const value = roundTrip({
      date: new Date(86_400_000),
      bytes: new Uint8Array([0, 1, 255]),
      floats: new Float64Array([1.5, -2]),
      buffer: new Uint8Array([9, 8]).buffer,
      map: new Map<unknown, unknown>([
        ["k", 1n],
        [2, new Set(["x"])],
      ]),
      regexp: /a+b/gi,
      special: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, undefined],
    }) as Record<string, unknown>;
    expect(value.date).toEqual(new Date(86_400_000));
    expect(value.bytes).toEqual(new Uint8Array([0, 1, 255]));
    expect(value.floats).toEqual(new Float64Array([1.5, -2]));
    expect(new Uint8Array(value.buffer as ArrayBuffer)).toEqual(new Uint8Array([9, 8]));
    expect(value.map).toEqual(
      new Map<unknown, unknown>([
        ["k", 1n],
        [2, new Set(["x"])],
      ]),
    );
    expect(String(value.regexp)).toBe("/a+b/gi");
    const special = value.special as unknown[];
    expect(Number.isNaN(special[0])).toBe(true);
    expect(special.slice(1, 3)).toEqual([Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(Object.is(special[3], -0)).toBe(true);
    expect(special[4]).toBeUndefined();
  });

  it("never mistakes data for a tag, and keeps __proto__ a plain key", () => {
    const tricky = JSON.parse('{"$type":"Date","value":1,"__proto__":{"polluted":true}}');
    const back = roundTrip(tricky) as Record<string, unknown>;
    expect(back.$type).toBe("Date");
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.hasOwn(back, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("marks what it cannot carry (a CryptoKey, a Blob) instead of turning it into {}", async () => {
    const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    expect(encodeTypedJson({ key, blob: new Blob(["x"]) })).toEqual({
      key: { $type: "Unsupported", kind: "CryptoKey" },
      blob: { $type: "Unsupported", kind: "Blob" },
    });
  });

  it("refuses cycles and unknown tags", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(() => encodeTypedJson(cycle)).toThrow(/cycle/);
    expect(() => decodeTypedJson({ $type: "Nope" })).toThrow(/unknown typed JSON/);
  });
});
