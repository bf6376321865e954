import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { isWebrunError } from "@webrun/errors";
import { beforeEach, describe, expect, it } from "vitest";
import { CHUNK_SIZE, ciphertextSize, HEADER_BYTES, TAG_BYTES } from "../../src/encryption/format.js";
import { type BlobStore, createEncryptedBlobStore, createMemoryBlobStore, readAll } from "../../src/index.js";
import { drain, isTampered, randomKeyring, rawBytes } from "./helpers.js";

const SEALED = CHUNK_SIZE + TAG_BYTES;

describe("encrypted BlobStore", () => {
  let inner: BlobStore;
  let store: BlobStore;
  const keyring = randomKeyring(["k1", "k2"], "k1");

  beforeEach(() => {
    inner = createMemoryBlobStore();
    store = createEncryptedBlobStore(inner, keyring);
  });

  const sizes = [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE, 3 * CHUNK_SIZE + 5];
  it.each(sizes)("round-trips %i bytes, reporting the plaintext size everywhere", async (size) => {
    const plaintext = randomBytes(size);
    const info = await store.put("obj", plaintext, { contentLength: size });
    expect(info.size).toBe(size);
    expect((await store.head("obj"))?.size).toBe(size);
    const listed = [];
    for await (const entry of store.list("")) listed.push(entry);
    expect(listed.map((e) => e.size)).toEqual([size]);
    const raw = await rawBytes(inner, "obj");
    expect(raw.length).toBe(ciphertextSize(size));
    const got = await store.get("obj");
    expect(got.size).toBe(size);
    expect((await readAll(got.body)).equals(plaintext)).toBe(true);
  });

  it("round-trips 20 MiB streamed in odd pieces with unknown length", async () => {
    const plaintext = randomBytes(20 * 1024 * 1024);
    const pieces = function* () {
      for (let offset = 0; offset < plaintext.length; offset += 77_777)
        yield plaintext.subarray(offset, offset + 77_777);
    };
    await store.put("big", Readable.from(pieces()));
    const got = await store.get("big");
    expect(got.size).toBe(plaintext.length);
    expect((await readAll(got.body)).equals(plaintext)).toBe(true);
  });

  it("reads byte ranges across chunk boundaries", async () => {
    const plaintext = randomBytes(3 * CHUNK_SIZE + 1234);
    await store.put("r", plaintext);
    const ranges = [
      { start: 0, end: 0 },
      { start: 0, end: CHUNK_SIZE - 1 },
      { start: CHUNK_SIZE - 1, end: CHUNK_SIZE },
      { start: 100, end: 2 * CHUNK_SIZE + 7 },
      { start: 3 * CHUNK_SIZE, end: 3 * CHUNK_SIZE + 1233 },
      { start: 5, end: 10 * CHUNK_SIZE },
      { start: CHUNK_SIZE + 3 },
    ];
    for (const range of ranges) {
      const got = await store.get("r", { range });
      const end = Math.min(range.end ?? plaintext.length - 1, plaintext.length - 1);
      expect(got.range).toEqual({ start: range.start, end });
      expect((await readAll(got.body)).equals(plaintext.subarray(range.start, end + 1))).toBe(true);
    }
    const suffix = await store.get("r", { range: { suffix: 70_000 } });
    expect((await readAll(suffix.body)).equals(plaintext.subarray(plaintext.length - 70_000))).toBe(true);
    await expect(store.get("r", { range: { start: plaintext.length } })).rejects.toSatisfy((e) =>
      isWebrunError(e, "BLOB_RANGE_NOT_SATISFIABLE"),
    );
  });

  it("never stores the plaintext", async () => {
    const secret = Buffer.from(`cookie-value-${randomBytes(16).toString("hex")}`);
    await store.put("s", Buffer.concat([randomBytes(CHUNK_SIZE - 5), secret, randomBytes(100)]));
    expect((await rawBytes(inner, "s")).includes(secret)).toBe(false);
  });
});

describe("tampering is always BLOB_TAMPERED and never yields unauthenticated bytes", () => {
  const keyring = randomKeyring(["k1", "k2"], "k1");
  const plaintext = randomBytes(3 * CHUNK_SIZE + 500);
  let inner: BlobStore;
  let store: BlobStore;
  let raw: Buffer;

  beforeEach(async () => {
    inner = createMemoryBlobStore();
    store = createEncryptedBlobStore(inner, keyring);
    await store.put("victim", plaintext);
    raw = await rawBytes(inner, "victim");
  });

  /** Stores `bytes` raw under `key`, reads it decrypted, and checks the failure and what leaked. */
  async function expectTampered(bytes: Buffer, maxVerifiedChunks: number, key = "victim", via = store) {
    await inner.put(key, bytes);
    let outcome: { bytes: Buffer; error?: unknown };
    try {
      outcome = await drain((await via.get(key)).body);
    } catch (error) {
      outcome = { bytes: Buffer.alloc(0), error };
    }
    expect(isTampered(outcome.error), String(outcome.error)).toBe(true);
    // Only whole chunks that authenticated, and only genuine plaintext.
    expect(outcome.bytes.length % CHUNK_SIZE).toBe(0);
    expect(outcome.bytes.length).toBeLessThanOrEqual(maxVerifiedChunks * CHUNK_SIZE);
    expect(outcome.bytes.equals(plaintext.subarray(0, outcome.bytes.length))).toBe(true);
  }

  function flip(offset: number, bit = 0): Buffer {
    const copy = Buffer.from(raw);
    copy[offset] = (copy[offset] as number) ^ (1 << bit);
    return copy;
  }

  it("detects a flipped bit anywhere in the header", async () => {
    for (let offset = 0; offset < HEADER_BYTES; offset += 1)
      await expectTampered(flip(offset, offset % 8), 0);
  });

  it("detects a flipped bit in any chunk body or tag, releasing only the chunks before it", async () => {
    for (let chunk = 0; chunk < 4; chunk += 1) {
      const start = HEADER_BYTES + chunk * SEALED;
      const end = Math.min(start + SEALED, raw.length);
      for (const offset of [
        start,
        start + 1000 > end - 17 ? start + 1 : start + 1000,
        end - 17,
        end - 16,
        end - 1,
      ])
        await expectTampered(flip(offset, 3), chunk);
    }
  });

  it("detects truncation at and between chunk boundaries", async () => {
    await expectTampered(raw.subarray(0, HEADER_BYTES + 3 * SEALED), 3);
    await expectTampered(raw.subarray(0, HEADER_BYTES + SEALED), 1);
    await expectTampered(raw.subarray(0, HEADER_BYTES + SEALED + 100), 1);
    await expectTampered(raw.subarray(0, raw.length - 1), 3);
    await expectTampered(raw.subarray(0, HEADER_BYTES), 0);
    await expectTampered(raw.subarray(0, 50), 0);
  });

  it("detects appended bytes and appended chunks", async () => {
    await expectTampered(Buffer.concat([raw, Buffer.from([0])]), 3);
    await expectTampered(Buffer.concat([raw, raw.subarray(HEADER_BYTES, HEADER_BYTES + SEALED)]), 3);
  });

  it("detects swapped and duplicated chunks", async () => {
    const c = (i: number) => raw.subarray(HEADER_BYTES + i * SEALED, HEADER_BYTES + (i + 1) * SEALED);
    const header = raw.subarray(0, HEADER_BYTES);
    const last = raw.subarray(HEADER_BYTES + 3 * SEALED);
    await expectTampered(Buffer.concat([header, c(1), c(0), c(2), last]), 0);
    await expectTampered(Buffer.concat([header, c(0), c(2), c(1), last]), 1);
    await expectTampered(Buffer.concat([header, c(0), c(0), c(2), last]), 1);
  });

  it("detects an object moved or swapped to another key", async () => {
    await store.put("other", randomBytes(100));
    const other = await rawBytes(inner, "other");
    await expectTampered(raw, 0, "other");
    await expectTampered(other, 0, "victim");
  });

  it("detects a header naming another configured key, and a key that is not configured", async () => {
    const renamed = Buffer.from(raw);
    renamed.write("k2", 10, "ascii");
    await expectTampered(renamed, 0);
    const stranger = createEncryptedBlobStore(inner, randomKeyring(["k1"]));
    await expectTampered(raw, 0, "victim", stranger);
  });

  it("detects tampering inside a range read", async () => {
    await inner.put("victim", flip(HEADER_BYTES + SEALED + 10));
    const outcome = await drain(
      (await store.get("victim", { range: { start: 10, end: CHUNK_SIZE + 10 } })).body,
    );
    expect(isTampered(outcome.error)).toBe(true);
    // At most the verified first chunk's slice, never bytes of the tampered one.
    expect(outcome.bytes.length).toBeLessThanOrEqual(CHUNK_SIZE - 10);
    expect(outcome.bytes.equals(plaintext.subarray(10, 10 + outcome.bytes.length))).toBe(true);
  });
});

describe("key rotation", () => {
  it("reads objects written under an old key and writes new ones under the active key", async () => {
    const inner = createMemoryBlobStore();
    const k1 = randomBytes(32);
    const k2 = randomBytes(32);
    const { Keyring } = await import("../../src/index.js");
    const before = createEncryptedBlobStore(inner, new Keyring(new Map([["k1", k1]]), "k1"));
    await before.put("old", "written with k1");
    const rotated = createEncryptedBlobStore(
      inner,
      new Keyring(
        new Map([
          ["k1", k1],
          ["k2", k2],
        ]),
        "k2",
      ),
    );
    expect((await readAll((await rotated.get("old")).body)).toString()).toBe("written with k1");
    await rotated.put("new", "written with k2");
    const onlyNew = createEncryptedBlobStore(inner, new Keyring(new Map([["k2", k2]]), "k2"));
    expect((await readAll((await onlyNew.get("new")).body)).toString()).toBe("written with k2");
    const outcome = await drain((await onlyNew.get("old")).body);
    expect(isTampered(outcome.error)).toBe(true);
    expect(outcome.bytes.length).toBe(0);
  });
});
