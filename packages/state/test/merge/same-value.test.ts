import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../src/merge/canonical-json.js";
import { sameValue } from "../../src/merge/same-value.js";

const cases: [unknown, unknown, boolean][] = [
  [{ a: 1, b: [1, { c: "x" }] }, { b: [1, { c: "x" }], a: 1 }, true],
  [{ a: 1 }, { a: 1, b: undefined }, true],
  [{ a: 1 }, { a: 1, b: null }, false],
  [[1, 2], [2, 1], false],
  [[1], { 0: 1 }, false],
  ["1", 1, false],
  [null, {}, false],
  [{ a: { b: 1 } }, { a: { b: 2 } }, false],
  [{}, [], false],
];

describe("sameValue and canonicalJson agree", () => {
  it.each(cases)("%j vs %j → %s", (a, b, same) => {
    expect(sameValue(a, b)).toBe(same);
    expect(sameValue(b, a)).toBe(same);
    expect(canonicalJson(a) === canonicalJson(b)).toBe(same);
  });

  it("canonicalJson writes what JSON.stringify writes, keys sorted", () => {
    const value = { z: [1, "two", null, true, { y: 1.5, x: -0 }], a: 'quote"d\n' };
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
    expect(canonicalJson(value).indexOf('"a"')).toBeLessThan(canonicalJson(value).indexOf('"z"'));
  });
});
