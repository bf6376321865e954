import { Readable } from "node:stream";
import { readAll } from "@webrun/blob-store";
import { expect, it } from "vitest";
import { fanOut } from "../../src/archive/fan-out.js";

const chunks = () => Readable.from(Array.from({ length: 200 }, (_, i) => Buffer.alloc(64 * 1024, i)));

it("feeds every consumer the same bytes, and tolerates one that stops early or destroys its stream", async () => {
  const seen: number[] = [];
  await fanOut(chunks(), [
    async (body) => {
      seen.push((await readAll(body)).length);
    },
    async () => {},
    async (body) => {
      body.destroy();
    },
    async (body) => {
      for await (const _chunk of body) break;
    },
  ]);
  expect(seen).toEqual([200 * 64 * 1024]);
});

it("fails when a consumer fails, and stops the others", async () => {
  const failure = new Error("sink down");
  let otherFinished = false;
  const outcome = fanOut(chunks(), [
    async (body) => {
      await readAll(body);
      otherFinished = true;
    },
    async (body) => {
      for await (const _chunk of body) throw failure;
    },
  ]);
  await expect(outcome).rejects.toBe(failure);
  expect(otherFinished).toBe(false);
});
