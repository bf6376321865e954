/**
 * @webrun/blob-store/conformance — the definition of a correct BlobStore, as
 * a vitest suite: every driver here runs it, and a driver of your own should
 * too (see the README). It imports vitest, which is why it has its own entry.
 */
import { createHash, randomBytes } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { isWebrunError } from "@webrun/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BlobInfo, BlobListEntry, BlobStore } from "./blob-store.js";
import { readAll } from "./body.js";

/** Awaits `work` and asserts it failed with the WebrunError `code`. */
export async function expectCode(work: Promise<unknown>, code: string): Promise<void> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toBeDefined();
  expect(isWebrunError(error) ? error.code : String(error)).toBe(code);
}

const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

/** A stream of `size` random bytes in 64 KiB chunks (length unknown to the reader), and its SHA-256 once read. */
function randomStream(size: number): { stream: Readable; digest: () => string } {
  const hash = createHash("sha256");
  async function* chunks() {
    for (let sent = 0; sent < size; ) {
      const chunk = randomBytes(Math.min(65536, size - sent));
      hash.update(chunk);
      sent += chunk.length;
      yield chunk;
    }
  }
  return { stream: Readable.from(chunks()), digest: () => hash.digest("hex") };
}

/** A stream that yields `bytes` random bytes and then fails. */
function failingStream(bytes: number): Readable {
  async function* chunks() {
    for (let sent = 0; sent < bytes; sent += 65536) yield randomBytes(65536);
    throw new Error("body source failed");
  }
  return Readable.from(chunks());
}

async function bodyOf(
  store: BlobStore,
  key: string,
  range?: Parameters<BlobStore["get"]>[1],
): Promise<Buffer> {
  return readAll((await store.get(key, range)).body);
}

async function collect(iterable: AsyncIterable<BlobListEntry>): Promise<BlobListEntry[]> {
  const all: BlobListEntry[] = [];
  for await (const info of iterable) all.push(info);
  return all;
}

async function inPool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

/** One CAS increment of a counter object, retried until it lands; returns the attempts it took. */
export async function increment(store: BlobStore, key: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const current = await store.get(key);
    const value = Number((await readAll(current.body)).toString());
    try {
      await store.put(key, String(value + 1), { ifMatch: current.etag });
      return attempt;
    } catch (error) {
      if (!isWebrunError(error) || error.code !== "BLOB_PRECONDITION_FAILED") throw error;
    }
  }
}

export interface BlobStoreConformanceOptions {
  /** Names the store in the test titles, e.g. "s3 (Ceph RGW)". */
  name: string;
  /** Opens a fresh, empty store; called once, and the suite closes it at the end. */
  open: () => Promise<BlobStore>;
  /** Runs after the store is closed: remove its directory, bucket… */
  cleanup?: () => Promise<void>;
}

/**
 * Registers the conformance suite (vitest `describe`/`it`) for one store.
 * Call it at the top level of a test file; the store must be empty when
 * opened, and the suite writes under a handful of top-level prefixes.
 */
export function testBlobStore({ name, open, cleanup = async () => {} }: BlobStoreConformanceOptions): void {
  describe(`BlobStore conformance: ${name}`, () => {
    let store: BlobStore;
    beforeAll(async () => {
      store = await open();
    }, 120_000);
    afterAll(async () => {
      await store?.close();
      await cleanup();
    }, 120_000);

    describe("put and get", () => {
      it("round-trips a string, bytes, an empty body and a stream of unknown length", async () => {
        const bytes = randomBytes(1000);
        await store.put("rt/string", "héllo wörld");
        await store.put("rt/bytes", new Uint8Array(bytes));
        await store.put("rt/empty", "");
        const { stream, digest } = randomStream(300_000);
        const info = await store.put("rt/stream", stream);
        expect(await bodyOf(store, "rt/string")).toEqual(Buffer.from("héllo wörld"));
        expect(sha256(await bodyOf(store, "rt/bytes"))).toBe(sha256(bytes));
        expect((await bodyOf(store, "rt/empty")).length).toBe(0);
        expect(sha256(await bodyOf(store, "rt/stream"))).toBe(digest());
        expect(info.size).toBe(300_000);
        expect((await store.head("rt/empty"))?.size).toBe(0);
      });

      it("streams a body of declared length", async () => {
        const bytes = randomBytes(200_000);
        const info = await store.put(
          "rt/declared",
          Readable.from([bytes.subarray(0, 50_000), bytes.subarray(50_000)]),
          {
            contentLength: bytes.length,
          },
        );
        expect(info.size).toBe(bytes.length);
        expect(sha256(await bodyOf(store, "rt/declared"))).toBe(sha256(bytes));
      });

      it("round-trips a 20 MiB stream (the multipart path on S3) byte for byte", async () => {
        const { stream, digest } = randomStream(20 * 1024 * 1024);
        const info = await store.put("rt/large", stream, { contentType: "application/octet-stream" });
        const expected = digest();
        expect(info.size).toBe(20 * 1024 * 1024);
        const object = await store.get("rt/large");
        expect(object.size).toBe(20 * 1024 * 1024);
        expect(sha256(await readAll(object.body))).toBe(expected);
        expect((await store.head("rt/large"))?.etag).toBe(info.etag);
      }, 120_000);

      it("returns the same etag from put, head and get, and a new one when the content changes", async () => {
        // S3 etags hash the content, so rewriting identical bytes may keep the etag: a CAS on equal content is harmless.
        const first = await store.put("etag/a", "one");
        const second = await store.put("etag/a", "two");
        expect(first.etag).not.toBe(second.etag);
        expect(second.etag).not.toMatch(/"/);
        expect((await store.head("etag/a"))?.etag).toBe(second.etag);
        const object = await store.get("etag/a");
        object.body.destroy();
        expect(object.etag).toBe(second.etag);
      });

      it("round-trips content type and metadata through get and head", async () => {
        const metadata = { owner: "user-1", "schema-version": "3" };
        await store.put("meta/doc", '{"a":1}', { contentType: "application/json", metadata });
        const head = await store.head("meta/doc");
        expect(head?.contentType).toBe("application/json");
        expect(head?.metadata).toEqual(metadata);
        const object = await store.get("meta/doc");
        await readAll(object.body);
        expect(object.contentType).toBe("application/json");
        expect(object.metadata).toEqual(metadata);
        expect(head?.lastModified.getTime()).toBeGreaterThan(Date.now() - 600_000);
      });

      it("refuses invalid metadata and a body whose length differs from the declared one", async () => {
        await expectCode(
          store.put("meta/bad", "x", { metadata: { "Upper-Case": "x" } }),
          "BLOB_METADATA_INVALID",
        );
        await expectCode(
          store.put("meta/bad", "x", { metadata: { note: "naïve" } }),
          "BLOB_METADATA_INVALID",
        );
        await expectCode(
          store.put("meta/bad", "x", { metadata: { big: "x".repeat(3000) } }),
          "BLOB_METADATA_INVALID",
        );
        await expectCode(
          store.put("meta/bad", Readable.from([Buffer.from("12345")]), { contentLength: 10 }),
          "BLOB_LENGTH_MISMATCH",
        );
        await expectCode(
          store.put("meta/bad", Readable.from([Buffer.from("12345678901")]), { contentLength: 10 }),
          "BLOB_LENGTH_MISMATCH",
        );
        expect(await store.head("meta/bad")).toBeUndefined();
      });

      it("reports a missing object as BLOB_NOT_FOUND on get and undefined on head", async () => {
        await expectCode(store.get("missing/object"), "BLOB_NOT_FOUND");
        expect(await store.head("missing/object")).toBeUndefined();
      });
    });

    describe("ranges", () => {
      const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
      beforeAll(async () => {
        await store.put("range/obj", bytes);
        await store.put("range/empty", "");
      });

      it("reads start-end, open-ended, suffix and over-long ranges", async () => {
        const part = await store.get("range/obj", { range: { start: 10, end: 19 } });
        expect(part.range).toEqual({ start: 10, end: 19 });
        expect(part.size).toBe(1000);
        expect(await readAll(part.body)).toEqual(bytes.subarray(10, 20));
        const tail = await store.get("range/obj", { range: { start: 990 } });
        expect(tail.range).toEqual({ start: 990, end: 999 });
        expect(await readAll(tail.body)).toEqual(bytes.subarray(990));
        const suffix = await store.get("range/obj", { range: { suffix: 5 } });
        expect(suffix.range).toEqual({ start: 995, end: 999 });
        expect(await readAll(suffix.body)).toEqual(bytes.subarray(995));
        expect(await bodyOf(store, "range/obj", { range: { suffix: 5000 } })).toEqual(bytes);
        expect(await bodyOf(store, "range/obj", { range: { start: 500, end: 5000 } })).toEqual(
          bytes.subarray(500),
        );
        expect(await bodyOf(store, "range/obj", { range: { start: 0, end: 0 } })).toEqual(
          bytes.subarray(0, 1),
        );
      });

      it("refuses unsatisfiable ranges", async () => {
        await expectCode(store.get("range/obj", { range: { start: 1000 } }), "BLOB_RANGE_NOT_SATISFIABLE");
        await expectCode(
          store.get("range/obj", { range: { start: 5000, end: 6000 } }),
          "BLOB_RANGE_NOT_SATISFIABLE",
        );
        await expectCode(store.get("range/empty", { range: { start: 0 } }), "BLOB_RANGE_NOT_SATISFIABLE");
        await expectCode(store.get("range/missing", { range: { start: 0 } }), "BLOB_NOT_FOUND");
      });
    });

    describe("delete", () => {
      it("removes an object, and removing a missing one is not an error", async () => {
        await store.put("del/a", "x");
        await store.delete("del/a");
        expect(await store.head("del/a")).toBeUndefined();
        await expectCode(store.get("del/a"), "BLOB_NOT_FOUND");
        await store.delete("del/a");
        await store.delete("del/never/existed");
      });

      it("a put succeeds while deletes empty the prefixes it lands under", async () => {
        // On a directory-backed store each delete prunes the folders it empties, under a concurrent put's feet.
        for (let round = 0; round < 60; round++) {
          const base = `race/${round}/a/b`;
          await Promise.all(
            Array.from({ length: 6 }, async (_, writer) => {
              await store.put(`${base}/gone-${writer}`, "x");
              await store.delete(`${base}/gone-${writer}`);
              await store.put(`${base}/c-${writer}/kept`, "y");
            }),
          );
          for (let writer = 0; writer < 6; writer++)
            expect((await store.head(`${base}/c-${writer}/kept`))?.size).toBe(1);
        }
      });
    });

    describe("list", () => {
      it("lists key, size and last-modified time only: what a listing has without a request per object", async () => {
        await store.put("shape/doc", "12345", { contentType: "text/plain", metadata: { owner: "user-1" } });
        const listed = await collect(store.list("shape/"));
        expect(listed.map((entry) => Object.keys(entry).sort())).toEqual([["key", "lastModified", "size"]]);
        const [entry] = listed;
        expect(entry?.key).toBe("shape/doc");
        expect(entry?.size).toBe(5);
        expect(entry?.lastModified).toBeInstanceOf(Date);
        expect(Math.abs((entry?.lastModified.getTime() ?? 0) - Date.now())).toBeLessThan(600_000);
      });

      it("lists by prefix in UTF-8 byte order, including keys that are prefixes of each other", async () => {
        const keys = [
          "ord/a",
          "ord/a-c",
          "ord/a/b",
          "ord/a/b/c",
          "ord/a0",
          "ord/b",
          "ord/é",
          "ord/\u{1f600}",
          "ord/\uffee",
          "ord/Z",
        ];
        for (const key of keys) await store.put(key, key);
        const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        expect((await collect(store.list("ord/"))).map((i) => i.key)).toEqual(expected);
        expect((await collect(store.list("ord/a"))).map((i) => i.key)).toEqual(
          expected.filter((k) => k.startsWith("ord/a")),
        );
        expect((await collect(store.list("ord/a/"))).map((i) => i.key)).toEqual(["ord/a/b", "ord/a/b/c"]);
        expect((await collect(store.list("ord/nothing"))).map((i) => i.key)).toEqual([]);
        const [first] = await collect(store.list("ord/a-"));
        expect(first).toMatchObject({ key: "ord/a-c", size: 7 });
      });

      it("pages through more than 1000 keys in order", async () => {
        const keys = Array.from({ length: 1100 }, (_, i) => `many/${String(i).padStart(4, "0")}`);
        await inPool(keys, 32, (key) => store.put(key, key));
        const listed = (await collect(store.list("many/"))).map((i) => i.key);
        expect(listed).toEqual(keys);
      }, 120_000);

      it("handles long and unusual keys", async () => {
        const long = `long/${"x".repeat(300)}/${"é".repeat(300)}/end`;
        const longest = `long/${"k".repeat(1019)}`;
        expect(Buffer.byteLength(longest)).toBe(1024);
        const odd = "long/sp ace/+plus/%25/#hash/@at/~tilde";
        for (const key of [long, longest, odd]) {
          await store.put(key, key);
          expect((await bodyOf(store, key)).toString()).toBe(key);
        }
        expect((await collect(store.list("long/"))).map((i) => i.key)).toEqual(
          [long, longest, odd].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
        );
      });
    });

    describe("conditional puts", () => {
      it("ifNoneMatch '*' writes a missing key and refuses an existing one", async () => {
        const created = await store.put("cond/new", "one", { ifNoneMatch: "*" });
        await expectCode(store.put("cond/new", "two", { ifNoneMatch: "*" }), "BLOB_PRECONDITION_FAILED");
        expect((await bodyOf(store, "cond/new")).toString()).toBe("one");
        expect((await store.head("cond/new"))?.etag).toBe(created.etag);
      });

      it("ifMatch accepts the current etag and refuses a stale one or a missing object", async () => {
        const first = await store.put("cond/cas", "v1");
        const second = await store.put("cond/cas", "v2", { ifMatch: first.etag });
        await expectCode(store.put("cond/cas", "v3", { ifMatch: first.etag }), "BLOB_PRECONDITION_FAILED");
        expect((await bodyOf(store, "cond/cas")).toString()).toBe("v2");
        await store.put("cond/cas", "v3", { ifMatch: second.etag });
        await expectCode(store.put("cond/missing", "x", { ifMatch: first.etag }), "BLOB_PRECONDITION_FAILED");
        expect(await store.head("cond/missing")).toBeUndefined();
      });

      it("conditional puts of a stream of unknown length are as strict", async () => {
        const first = await store.put("cond/stream", Readable.from([Buffer.from("a")]), { ifNoneMatch: "*" });
        await expectCode(
          store.put("cond/stream", Readable.from([Buffer.from("b")]), { ifNoneMatch: "*" }),
          "BLOB_PRECONDITION_FAILED",
        );
        await store.put("cond/stream", Readable.from([Buffer.from("c")]), { ifMatch: first.etag });
        await expectCode(
          store.put("cond/stream", Readable.from([Buffer.from("d")]), { ifMatch: first.etag }),
          "BLOB_PRECONDITION_FAILED",
        );
        expect((await bodyOf(store, "cond/stream")).toString()).toBe("c");
      });

      it("lets exactly one of many concurrent writers win, round after round", async () => {
        // Enough writers to make Ceph 16 answer some losers with 500 (ECANCELED) instead of 412.
        const writers = 16;
        const creates = await Promise.allSettled(
          Array.from({ length: writers }, (_, i) =>
            store.put("race/key", `writer ${i}`, { ifNoneMatch: "*" }),
          ),
        );
        expect(creates.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of creates)
          if (r.status === "rejected") expect(r.reason.code).toBe("BLOB_PRECONDITION_FAILED");
        for (let round = 0; round < 5; round++) {
          const { etag } = (await store.head("race/key")) as BlobInfo;
          const results = await Promise.allSettled(
            Array.from({ length: writers }, (_, i) =>
              store.put("race/key", `round ${round} writer ${i}`, { ifMatch: etag }),
            ),
          );
          const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
          expect(winners, `round ${round}`).toHaveLength(1);
          expect((await bodyOf(store, "race/key")).toString()).toBe(`round ${round} writer ${winners[0]}`);
        }
      }, 60_000);

      it("counts exactly with compare-and-swap retry loops (no lost increments)", async () => {
        await store.put("race/counter", "0");
        const writers = 8;
        const each = 5;
        await Promise.all(
          Array.from({ length: writers }, async () => {
            for (let i = 0; i < each; i++) await increment(store, "race/counter");
          }),
        );
        expect((await bodyOf(store, "race/counter")).toString()).toBe(String(writers * each));
      }, 120_000);
    });

    describe("failures leave nothing behind", () => {
      it("a body stream that fails keeps the previous object intact and creates nothing new", async () => {
        const before = await store.put("fail/existing", "previous");
        await expect(store.put("fail/existing", failingStream(100_000))).rejects.toThrow();
        await expect(
          store.put("fail/existing", failingStream(100_000), { contentLength: 200_000 }),
        ).rejects.toThrow();
        await expect(store.put("fail/existing", failingStream(10 * 1024 * 1024))).rejects.toThrow();
        await expect(store.put("fail/new", failingStream(100_000), { ifNoneMatch: "*" })).rejects.toThrow();
        expect((await bodyOf(store, "fail/existing")).toString()).toBe("previous");
        expect((await store.head("fail/existing"))?.etag).toBe(before.etag);
        expect(await store.head("fail/new")).toBeUndefined();
        expect((await collect(store.list("fail/"))).map((i) => i.key)).toEqual(["fail/existing"]);
      }, 120_000);

      it("an aborted put leaves nothing behind", async () => {
        const controller = new AbortController();
        // A body that sends 1 MiB and then stalls, as a slow client would.
        const stalled = new PassThrough();
        stalled.write(randomBytes(1024 * 1024));
        const put = store.put("fail/aborted", stalled, { signal: controller.signal });
        setTimeout(() => controller.abort(new Error("client went away")), 100);
        await expect(put).rejects.toThrow();
        expect(await store.head("fail/aborted")).toBeUndefined();
        await expect(store.put("fail/aborted", "x", { signal: AbortSignal.abort() })).rejects.toThrow();
        expect(await store.head("fail/aborted")).toBeUndefined();
      }, 60_000);
    });

    describe("keys", () => {
      it("refuses invalid keys on every operation", async () => {
        const bad = [
          "",
          "a//b",
          "/lead",
          "trail/",
          "../x",
          "a/./b",
          "a/../b",
          "tab\there",
          "back\\slash",
          "x".repeat(1025),
        ];
        for (const key of bad) {
          await expectCode(store.put(key, "x"), "BLOB_KEY_INVALID");
          await expectCode(store.get(key), "BLOB_KEY_INVALID");
          await expectCode(store.head(key), "BLOB_KEY_INVALID");
          await expectCode(store.delete(key), "BLOB_KEY_INVALID");
        }
      });
    });
  });
}
