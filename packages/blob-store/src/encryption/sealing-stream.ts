import { randomBytes } from "node:crypto";
import { Transform, type TransformCallback } from "node:stream";
import { blobLengthMismatch } from "../errors.js";
import { ByteQueue } from "./byte-queue.js";
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
  const pending = new ByteQueue();
  let counter = 0;
  let received = 0;
  let headerSent = false;
  const sendHeader = (stream: Transform) => {
    if (headerSent) return;
    headerSent = true;
    stream.push(header.bytes);
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      sendHeader(this);
      received += chunk.length;
      if (expectedSize !== undefined && received > expectedSize)
        return callback(blobLengthMismatch(objectKey, expectedSize, received));
      pending.push(chunk);
      // Seal only when more bytes follow: the last chunk must carry the final flag.
      while (pending.length > CHUNK_SIZE) {
        this.push(cipher.seal(pending.take(CHUNK_SIZE), counter, false));
        counter += 1;
      }
      callback();
    },
    flush(callback: TransformCallback) {
      if (expectedSize !== undefined && received !== expectedSize)
        return callback(blobLengthMismatch(objectKey, expectedSize, received));
      sendHeader(this);
      this.push(cipher.seal(pending.take(pending.length), counter, true));
      callback();
    },
  });
}
