import { randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { blobLengthMismatch } from "../errors.js";
import { CHUNK_SIZE, ChunkCipher, decodeHeader, encodeHeader, type Header, wrapAad } from "./format.js";
import type { Keyring } from "./keyring.js";

const zeroWrap = (keyId: string) => ({
  keyId,
  nonce: Buffer.alloc(12),
  ciphertext: Buffer.alloc(32),
  tag: Buffer.alloc(16),
});

/**
 * Encrypts a plaintext stream into the at-rest format for `objectKey`: the
 * header first, then sealed chunks. A chunk is sealed as soon as more bytes
 * follow it, so memory stays at one chunk whatever the object size. With
 * `expectedSize` the stream fails unless exactly that many bytes arrive.
 */
export function createSealingStream(keyring: Keyring, objectKey: string, expectedSize?: number): Transform {
  const dataKey = randomBytes(32);
  const noncePrefix = randomBytes(8);
  const template = encodeHeader(zeroWrap(keyring.activeKeyId), noncePrefix);
  const wrapped = keyring.wrapDataKey(dataKey, wrapAad(template, objectKey));
  const header = decodeHeader(encodeHeader(wrapped, noncePrefix)) as Header;
  const cipher = new ChunkCipher(dataKey, header, objectKey);
  // The current chunk's plaintext, as slices of what arrived (never copied).
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let counter = 0;
  let received = 0;
  let headerSent = false;
  const sendHeader = (stream: Transform) => {
    if (headerSent) return;
    headerSent = true;
    stream.push(header.bytes);
  };
  const sealPending = (stream: Transform, final: boolean) => {
    for (const piece of cipher.seal(pending, counter, final)) stream.push(piece);
    counter += 1;
    pending = [];
    pendingBytes = 0;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      sendHeader(this);
      received += chunk.length;
      if (expectedSize !== undefined && received > expectedSize)
        return callback(blobLengthMismatch(objectKey, expectedSize, received));
      for (let offset = 0; offset < chunk.length; ) {
        // A full chunk is sealed only once more bytes follow: the last chunk must carry the final flag.
        if (pendingBytes === CHUNK_SIZE) sealPending(this, false);
        const piece = chunk.subarray(offset, offset + CHUNK_SIZE - pendingBytes);
        pending.push(piece);
        pendingBytes += piece.length;
        offset += piece.length;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (expectedSize !== undefined && received !== expectedSize)
        return callback(blobLengthMismatch(objectKey, expectedSize, received));
      sendHeader(this);
      sealPending(this, true);
      callback();
    },
  });
}
