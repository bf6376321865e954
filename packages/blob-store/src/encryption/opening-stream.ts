import { Transform, type TransformCallback } from "node:stream";
import { blobTampered } from "../errors.js";
import { ByteQueue } from "./byte-queue.js";
import {
  CHUNK_SIZE,
  ChunkCipher,
  chunkOffset,
  decodeHeader,
  HEADER_BYTES,
  type Header,
  TAG_BYTES,
  wrapAad,
} from "./format.js";
import type { Keyring } from "./keyring.js";

export interface OpeningPlan {
  objectKey: string;
  keyring: Keyring;
  /** Size of the whole stored object: it fixes how many chunks there are and which one is final. */
  storedSize: number;
  /** The opened header's cipher when the stream starts at a chunk rather than at the header. */
  cipher?: ChunkCipher;
  /** First and last chunk (inclusive) the incoming bytes hold. */
  firstChunk: number;
  endChunk: number;
  /** Plaintext bytes to drop from the first chunk and to emit in all (for ranges). */
  skip: number;
  take: number;
}

/** Opens a header: checks its layout and unwraps the data key, or throws BLOB_TAMPERED. */
export function openHeader(
  bytes: Buffer,
  objectKey: string,
  keyring: Keyring,
): { header: Header; cipher: ChunkCipher } {
  const header = decodeHeader(bytes);
  if (typeof header === "string") throw blobTampered(objectKey, header);
  if (!keyring.keyIds.includes(header.wrapped.keyId))
    throw blobTampered(
      objectKey,
      `encrypted with master key ${header.wrapped.keyId}, which is not configured`,
    );
  const dataKey = keyring.unwrapDataKey(header.wrapped, wrapAad(header.bytes, objectKey));
  if (!dataKey) throw blobTampered(objectKey, "header does not authenticate");
  return { header, cipher: new ChunkCipher(dataKey, header, objectKey) };
}

/**
 * Decrypts stored bytes chunk by chunk. A chunk's plaintext is released only
 * after its tag verified, so a consumer never sees a byte that did not
 * authenticate; any failure (bad tag, wrong final flag, missing or extra
 * bytes) errors the stream with BLOB_TAMPERED.
 */
export function createOpeningStream(plan: OpeningPlan): Transform {
  const finalChunk = Math.max(0, Math.ceil((plan.storedSize - HEADER_BYTES) / (CHUNK_SIZE + TAG_BYTES)) - 1);
  const sealedLength = (index: number) =>
    index < finalChunk ? CHUNK_SIZE + TAG_BYTES : plan.storedSize - chunkOffset(finalChunk);
  const pending = new ByteQueue();
  let cipher = plan.cipher;
  let index = plan.firstChunk;
  let skip = plan.skip;
  let remaining = plan.take;

  function drain(stream: Transform): void {
    if (!cipher) {
      if (pending.length < HEADER_BYTES) return;
      cipher = openHeader(pending.take(HEADER_BYTES), plan.objectKey, plan.keyring).cipher;
    }
    while (index <= plan.endChunk && pending.length >= sealedLength(index)) {
      const plaintext = cipher.open(pending.take(sealedLength(index)), index, index === finalChunk);
      if (!plaintext) throw blobTampered(plan.objectKey, `chunk ${index} does not authenticate`);
      index += 1;
      const start = Math.min(skip, plaintext.length);
      skip -= start;
      const piece = plaintext.subarray(start, start + remaining);
      remaining -= piece.length;
      if (piece.length > 0) stream.push(piece);
    }
    if (index > plan.endChunk && pending.length > 0) throw blobTampered(plan.objectKey, "trailing bytes");
  }

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      pending.push(chunk);
      try {
        drain(this);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        drain(this);
        if (index <= plan.endChunk) throw blobTampered(plan.objectKey, "truncated");
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
