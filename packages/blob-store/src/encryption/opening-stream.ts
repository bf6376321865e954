import { Transform, type TransformCallback } from "node:stream";
import { blobTampered } from "../errors.js";
import {
  CHUNK_SIZE,
  ChunkCipher,
  type ChunkOpening,
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

interface ChunkInProgress {
  opening: ChunkOpening;
  ciphertextLeft: number;
  tag: Buffer[];
  tagLength: number;
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
 * bytes) errors the stream with BLOB_TAMPERED. Incoming bytes go straight to
 * the decipher as they arrive, whatever their boundaries: nothing is joined.
 */
export function createOpeningStream(plan: OpeningPlan): Transform {
  const finalChunk = Math.max(0, Math.ceil((plan.storedSize - HEADER_BYTES) / (CHUNK_SIZE + TAG_BYTES)) - 1);
  const sealedLength = (index: number) =>
    index < finalChunk ? CHUNK_SIZE + TAG_BYTES : plan.storedSize - chunkOffset(finalChunk);
  let cipher = plan.cipher;
  let headerParts: Buffer[] = [];
  let headerLength = 0;
  let index = plan.firstChunk;
  // The chunk being opened: its decipher, ciphertext bytes still due, tag bytes gathered so far.
  let chunk: ChunkInProgress | undefined;
  let skip = plan.skip;
  let remaining = plan.take;

  function startChunk(opener: ChunkCipher): ChunkInProgress {
    const length = sealedLength(index);
    if (length < TAG_BYTES) throw blobTampered(plan.objectKey, "truncated");
    return {
      opening: opener.opening(index, index === finalChunk),
      ciphertextLeft: length - TAG_BYTES,
      tag: [],
      tagLength: 0,
    };
  }

  function emit(stream: Transform, plaintext: Buffer[]): void {
    for (const piece of plaintext) {
      const start = Math.min(skip, piece.length);
      skip -= start;
      const kept = piece.subarray(start, start + remaining);
      remaining -= kept.length;
      if (kept.length > 0) stream.push(kept);
    }
  }

  /** Consumes `bytes` (any length, any alignment), emitting every chunk that completes and verifies. */
  function consume(stream: Transform, bytes: Buffer): void {
    let offset = 0;
    if (!cipher) {
      const part = bytes.subarray(0, HEADER_BYTES - headerLength);
      headerParts.push(part);
      headerLength += part.length;
      offset = part.length;
      if (headerLength < HEADER_BYTES) return;
      cipher = openHeader(Buffer.concat(headerParts), plan.objectKey, plan.keyring).cipher;
      headerParts = [];
    }
    while (offset < bytes.length) {
      if (index > plan.endChunk) throw blobTampered(plan.objectKey, "trailing bytes");
      chunk ??= startChunk(cipher);
      if (chunk.ciphertextLeft > 0) {
        const ciphertext = bytes.subarray(offset, offset + chunk.ciphertextLeft);
        chunk.opening.update(ciphertext);
        chunk.ciphertextLeft -= ciphertext.length;
        offset += ciphertext.length;
        continue;
      }
      const tag = bytes.subarray(offset, offset + TAG_BYTES - chunk.tagLength);
      chunk.tag.push(tag);
      chunk.tagLength += tag.length;
      offset += tag.length;
      if (chunk.tagLength < TAG_BYTES) continue;
      const plaintext = chunk.opening.finish(chunk.tag.length === 1 ? tag : Buffer.concat(chunk.tag));
      if (!plaintext) throw blobTampered(plan.objectKey, `chunk ${index} does not authenticate`);
      chunk = undefined;
      index += 1;
      emit(stream, plaintext);
    }
  }

  return new Transform({
    transform(bytes: Buffer, _encoding, callback: TransformCallback) {
      try {
        consume(this, bytes);
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
    flush(callback: TransformCallback) {
      try {
        if (index <= plan.endChunk) throw blobTampered(plan.objectKey, "truncated");
        callback();
      } catch (error) {
        callback(error as Error);
      }
    },
  });
}
