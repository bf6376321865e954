import { Readable } from "node:stream";
import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { readInput, readJsonInput } from "../src/read-input.js";

describe("readInput / readJsonInput", () => {
  it("refuses an input over maxBytes", async () => {
    const error = await readInput("-", {
      stdin: Readable.from([Buffer.alloc(8), Buffer.alloc(8)]),
      maxBytes: 10,
    }).catch((caught: unknown) => caught);
    expect(isWebrunError(error, "INPUT_TOO_LARGE")).toBe(true);
    expect((error as Error).message).toBe("stdin is larger than 10 bytes");
  });

  it("reads a stream in chunks, multi-byte characters split across them", async () => {
    const bytes = Buffer.from('{"prompt":"façade – ✓"}');
    const stdin = Readable.from([bytes.subarray(0, 15), bytes.subarray(15)]);
    expect(await readJsonInput("-", { stdin })).toEqual({ prompt: "façade – ✓" });
  });

  it("gives line and column when the parser reports a position", async () => {
    const error = await readJsonInput("-", { stdin: Readable.from(['{"a": 1\n "b"']) }).catch(
      (caught: unknown) => caught,
    );
    expect(isWebrunError(error, "INVALID_JSON")).toBe(true);
    expect((error as Error).message).toMatch(/^stdin is not valid JSON( \(line 2, column \d+\))?$/);
  });
});
