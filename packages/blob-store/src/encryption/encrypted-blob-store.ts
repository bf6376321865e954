import { pipeline } from "node:stream";
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
import { blobPreconditionFailed, blobRangeNotSatisfiable, blobTampered } from "../errors.js";
import { resolveRange } from "../keys.js";
import { CHUNK_SIZE, chunkOffset, ciphertextSize, HEADER_BYTES, plaintextSize } from "./format.js";
import type { Keyring } from "./keyring.js";
import { createOpeningStream, openHeader } from "./opening-stream.js";
import { createSealingStream } from "./sealing-stream.js";

/** Bodies given as bytes up to this size are sealed in memory (records, manifests, state parts). */
const sealInMemoryMaxBytes = 4 * 1024 * 1024;

/** How often a range read retries when the object is replaced between reading its header and its chunks. */
const RANGE_ATTEMPTS = 3;

/**
 * Encryption at rest as a BlobStore decorator: every layer above keeps using
 * a plain BlobStore, every byte below is ciphertext (format in `format.ts`).
 *
 * - `size` is the plaintext size, computed from the stored size (listings need
 *   no extra request; a listed object too damaged to have one keeps its stored
 *   size); etags pass through untouched, so
 *   `ifMatch`/`ifNoneMatch` compare-and-swap works exactly as on the inner store.
 * - Reads stream and verify chunk by chunk; tampering of any kind is a
 *   `BLOB_TAMPERED` integrity error, never unauthenticated plaintext.
 * - Ranges read the header plus only the chunks covering the range.
 * - Object keys, content types and metadata stay in clear: put no secrets in them.
 */
export function createEncryptedBlobStore(inner: BlobStore, keyring: Keyring): BlobStore {
  function plainInfo<T extends BlobInfo>(info: T): T {
    const size = plaintextSize(info.size);
    if (size === undefined) throw blobTampered(info.key, "stored size fits no encrypted object");
    return { ...info, size };
  }

  async function getRange(key: string, options: GetOptions & { range: NonNullable<GetOptions["range"]> }) {
    for (let attempt = 1; ; attempt += 1) {
      const head = await inner.get(key, {
        range: { start: 0, end: HEADER_BYTES - 1 },
        signal: options.signal,
      });
      const headerBytes = await readAll(head.body);
      const size = plaintextSize(head.size);
      if (size === undefined || headerBytes.length !== HEADER_BYTES)
        throw blobTampered(key, "stored size fits no encrypted object");
      const range = resolveRange(options.range, size);
      if (!range) throw blobRangeNotSatisfiable(key, size);
      const { cipher } = openHeader(headerBytes, key, keyring);
      const firstChunk = Math.floor(range.start / CHUNK_SIZE);
      const endChunk = Math.floor(range.end / CHUNK_SIZE);
      const stored = await inner.get(key, {
        range: { start: chunkOffset(firstChunk), end: Math.min(chunkOffset(endChunk + 1), head.size) - 1 },
        signal: options.signal,
      });
      if (stored.etag !== head.etag) {
        stored.body.destroy();
        if (attempt < RANGE_ATTEMPTS) continue;
        throw blobPreconditionFailed(key);
      }
      const opening = createOpeningStream({
        objectKey: key,
        keyring,
        storedSize: stored.size,
        cipher,
        firstChunk,
        endChunk,
        skip: range.start - firstChunk * CHUNK_SIZE,
        take: range.end - range.start + 1,
      });
      return { ...stored, size, range, body: pipeline(stored.body, opening, () => {}) };
    }
  }

  return {
    driver: `encrypted(${inner.driver})`,
    authenticatesReads: true,

    async put(key: string, body: BlobBody, options?: PutOptions): Promise<BlobInfo> {
      if (typeof body === "string" || body instanceof Uint8Array) {
        const bytes = typeof body === "string" ? Buffer.from(body) : body;
        if (
          bytes.length <= sealInMemoryMaxBytes &&
          (options?.contentLength ?? bytes.length) === bytes.length
        ) {
          // Sealed bytes in memory reach the driver as bytes: S3 can send them again when an outcome is
          // unclear, and needs no abort wiring for a body stream that might fail.
          const sealed = await readAll(
            bodyToStream(bytes).pipe(createSealingStream(keyring, key, bytes.length)),
          );
          return plainInfo(await inner.put(key, sealed, { ...options, contentLength: sealed.length }));
        }
      }
      const sealing = createSealingStream(keyring, key, options?.contentLength);
      const sealed = pipeline(bodyToStream(body), sealing, () => {});
      const contentLength =
        options?.contentLength === undefined ? undefined : ciphertextSize(options.contentLength);
      try {
        return plainInfo(await inner.put(key, sealed, { ...options, contentLength }));
      } catch (error) {
        // A put refused before reading its body (a failed precondition) must still release the source.
        sealed.destroy();
        throw error;
      }
    },

    async get(key: string, options?: GetOptions): Promise<BlobObject> {
      if (options?.range) return getRange(key, { ...options, range: options.range });
      const stored = await inner.get(key, options);
      const size = plaintextSize(stored.size);
      if (size === undefined) {
        stored.body.destroy();
        throw blobTampered(key, "stored size fits no encrypted object");
      }
      const opening = createOpeningStream({
        objectKey: key,
        keyring,
        storedSize: stored.size,
        firstChunk: 0,
        endChunk: Math.max(0, Math.ceil(size / CHUNK_SIZE) - 1),
        skip: 0,
        take: size,
      });
      return { ...stored, size, body: pipeline(stored.body, opening, () => {}) };
    },

    async head(key: string): Promise<BlobInfo | undefined> {
      const info = await inner.head(key);
      return info && plainInfo(info);
    },

    delete: (key: string) => inner.delete(key),

    async *list(prefix: string): AsyncIterable<BlobListEntry> {
      // A damaged object (its size fits no encrypted object) is listed with its stored size rather
      // than failing the listing: reading it still fails, but deleting an environment or a GC run must
      // still find it and remove it.
      for await (const info of inner.list(prefix)) {
        const size = plaintextSize(info.size);
        yield { key: info.key, size: size ?? info.size, lastModified: info.lastModified };
      }
    },

    close: () => inner.close(),
  };
}
