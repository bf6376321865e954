import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import type {
  BlobBody,
  BlobInfo,
  BlobListEntry,
  BlobObject,
  BlobStore,
  GetOptions,
  PutOptions,
} from "../blob-store.js";
import { bodyToStream, readAll } from "../body.js";
import {
  blobLengthMismatch,
  blobNotFound,
  blobPreconditionFailed,
  blobRangeNotSatisfiable,
} from "../errors.js";
import { assertValidKey, compareKeys, resolveRange } from "../keys.js";
import { assertValidMetadata } from "../metadata.js";

/** Reads the body, failing as soon as `signal` aborts (a stalled body would otherwise hang the put). */
async function readAllUnlessAborted(stream: Readable, signal: AbortSignal | undefined): Promise<Buffer> {
  signal?.throwIfAborted();
  const onAbort = (): void => {
    stream.destroy(signal?.reason);
  };
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const bytes = await readAll(stream);
    signal?.throwIfAborted();
    return bytes;
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

interface Stored {
  info: BlobInfo;
  bytes: Buffer;
}

/** An in-process BlobStore for unit tests. Same semantics as the real drivers (the conformance suite checks). */
export function createMemoryBlobStore(): BlobStore {
  const objects = new Map<string, Stored>();
  let sequence = 0;

  function checkPreconditions(key: string, options: PutOptions | undefined): void {
    const current = objects.get(key);
    if (options?.ifNoneMatch === "*" && current) throw blobPreconditionFailed(key);
    if (options?.ifMatch !== undefined && current?.info.etag !== options.ifMatch)
      throw blobPreconditionFailed(key);
  }

  return {
    driver: "memory",

    async put(key: string, body: BlobBody, options?: PutOptions): Promise<BlobInfo> {
      assertValidKey(key);
      assertValidMetadata(options?.metadata);
      checkPreconditions(key, options);
      const bytes = await readAllUnlessAborted(bodyToStream(body), options?.signal);
      if (options?.contentLength !== undefined && options.contentLength !== bytes.length)
        throw blobLengthMismatch(key, options.contentLength, bytes.length);
      // Re-check after the body was read: another put may have landed meanwhile.
      checkPreconditions(key, options);
      sequence += 1;
      const info: BlobInfo = {
        key,
        size: bytes.length,
        etag: createHash("md5").update(bytes).update(String(sequence)).digest("hex"),
        lastModified: new Date(),
        metadata: { ...options?.metadata },
        ...(options?.contentType ? { contentType: options.contentType } : {}),
      };
      objects.set(key, { info, bytes });
      return info;
    },

    async get(key: string, options?: GetOptions): Promise<BlobObject> {
      assertValidKey(key);
      const stored = objects.get(key);
      if (!stored) throw blobNotFound(key);
      if (!options?.range) return { ...stored.info, body: Readable.from([stored.bytes]) };
      const range = resolveRange(options.range, stored.info.size);
      if (!range) throw blobRangeNotSatisfiable(key, stored.info.size);
      return {
        ...stored.info,
        body: Readable.from([stored.bytes.subarray(range.start, range.end + 1)]),
        range,
      };
    },

    async head(key: string): Promise<BlobInfo | undefined> {
      assertValidKey(key);
      return objects.get(key)?.info;
    },

    async delete(key: string): Promise<void> {
      assertValidKey(key);
      objects.delete(key);
    },

    async *list(prefix: string): AsyncIterable<BlobListEntry> {
      const keys = [...objects.keys()].filter((k) => k.startsWith(prefix)).sort(compareKeys);
      for (const key of keys) {
        const stored = objects.get(key);
        if (stored) yield { key, size: stored.info.size, lastModified: stored.info.lastModified };
      }
    },

    async close(): Promise<void> {},
  };
}
