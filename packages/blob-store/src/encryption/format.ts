import { createCipheriv, createDecipheriv, createHash, type DecipherGCM } from "node:crypto";
import { MAX_KEY_ID_LENGTH, type WrappedDataKey } from "./keyring.js";

/**
 * The at-rest format of one encrypted object (format version 1):
 *
 * ```
 * header (110 bytes)
 *   magic "WREN" · format version u8 = 1 · chunk size u32be = 65536
 *   key id length u8 · key id (ASCII, zero-padded to 32)
 *   wrap nonce (12) · wrapped data key (32) · wrap tag (16)
 *   nonce prefix (8)
 * chunks: AES-256-GCM(data key, nonce = prefix ‖ counter u32be,
 *                     aad = SHA-256(header ‖ 0 ‖ object key) ‖ counter u32be ‖ final u8)
 *   every chunk but the last holds exactly `chunk size` plaintext bytes,
 *   the last holds 0..chunk size; each is followed by its 16-byte tag.
 * ```
 *
 * The data key is random per object and wrapped under the master key with
 * the rest of the header and the object key as associated data, so any
 * header edit, key swap or object move fails authentication. The counter
 * and final flag in each chunk's AAD catch reordering, truncation and
 * appending. A fixed header length and chunk size make the plaintext size a
 * pure function of the stored size, so listings need no extra requests.
 */
export const MAGIC = Buffer.from("WREN", "ascii");
export const FORMAT_VERSION = 1;
export const CHUNK_SIZE = 64 * 1024;
export const TAG_BYTES = 16;
export const HEADER_BYTES = 4 + 1 + 4 + 1 + MAX_KEY_ID_LENGTH + 12 + 32 + 16 + 8;
const SEALED_CHUNK = CHUNK_SIZE + TAG_BYTES;
const MAX_CHUNKS = 2 ** 32;

export interface Header {
  wrapped: WrappedDataKey;
  noncePrefix: Buffer;
  /** The header bytes as stored, bound into every chunk. */
  bytes: Buffer;
}

const offsets = {
  version: 4,
  chunkSize: 5,
  keyIdLength: 9,
  keyId: 10,
  wrapNonce: 10 + MAX_KEY_ID_LENGTH,
  wrapped: 22 + MAX_KEY_ID_LENGTH,
  wrapTag: 54 + MAX_KEY_ID_LENGTH,
  noncePrefix: 70 + MAX_KEY_ID_LENGTH,
} as const;

/** The header with the wrap fields zeroed, plus the object key: what the data key's wrap authenticates. */
export function wrapAad(header: Buffer, objectKey: string): Buffer {
  const bytes = Buffer.from(header);
  bytes.fill(0, offsets.wrapNonce, offsets.noncePrefix);
  return Buffer.concat([bytes, Buffer.from(objectKey, "utf8")]);
}

/** Lays out a header; the wrap fields may be zeros while computing the wrap's AAD. */
export function encodeHeader(wrapped: WrappedDataKey, noncePrefix: Buffer): Buffer {
  const bytes = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(bytes, 0);
  bytes.writeUInt8(FORMAT_VERSION, offsets.version);
  bytes.writeUInt32BE(CHUNK_SIZE, offsets.chunkSize);
  const keyId = Buffer.from(wrapped.keyId, "ascii");
  bytes.writeUInt8(keyId.length, offsets.keyIdLength);
  keyId.copy(bytes, offsets.keyId);
  wrapped.nonce.copy(bytes, offsets.wrapNonce);
  wrapped.ciphertext.copy(bytes, offsets.wrapped);
  wrapped.tag.copy(bytes, offsets.wrapTag);
  noncePrefix.copy(bytes, offsets.noncePrefix);
  return bytes;
}

/** Parses a header, or returns why it is not one. */
export function decodeHeader(bytes: Buffer): Header | string {
  if (bytes.length < HEADER_BYTES) return "shorter than a header";
  if (!bytes.subarray(0, 4).equals(MAGIC)) return "not an encrypted object";
  if (bytes.readUInt8(offsets.version) !== FORMAT_VERSION) return "unknown format version";
  if (bytes.readUInt32BE(offsets.chunkSize) !== CHUNK_SIZE) return "unexpected chunk size";
  const keyIdLength = bytes.readUInt8(offsets.keyIdLength);
  if (keyIdLength < 1 || keyIdLength > MAX_KEY_ID_LENGTH) return "bad key id";
  const header = Buffer.from(bytes.subarray(0, HEADER_BYTES));
  return {
    wrapped: {
      keyId: header.subarray(offsets.keyId, offsets.keyId + keyIdLength).toString("latin1"),
      nonce: header.subarray(offsets.wrapNonce, offsets.wrapNonce + 12),
      ciphertext: header.subarray(offsets.wrapped, offsets.wrapped + 32),
      tag: header.subarray(offsets.wrapTag, offsets.wrapTag + 16),
    },
    noncePrefix: header.subarray(offsets.noncePrefix, offsets.noncePrefix + 8),
    bytes: header,
  };
}

/** Number of chunks a plaintext of this size is sealed into (at least one, possibly empty). */
export function chunkCount(plaintextSize: number): number {
  return Math.max(1, Math.ceil(plaintextSize / CHUNK_SIZE));
}

/** Stored size of a plaintext of this size. */
export function ciphertextSize(plaintextSize: number): number {
  return HEADER_BYTES + plaintextSize + TAG_BYTES * chunkCount(plaintextSize);
}

/** Plaintext size of a stored object of this size, or undefined when no plaintext encrypts to it. */
export function plaintextSize(storedSize: number): number | undefined {
  const body = storedSize - HEADER_BYTES;
  if (body < TAG_BYTES) return undefined;
  const chunks = Math.ceil(body / SEALED_CHUNK);
  const last = body - (chunks - 1) * SEALED_CHUNK - TAG_BYTES;
  if (last < 0 || (chunks > 1 && last === 0)) return undefined;
  return (chunks - 1) * CHUNK_SIZE + last;
}

/** Stored byte offset where chunk `index` starts. */
export function chunkOffset(index: number): number {
  return HEADER_BYTES + index * SEALED_CHUNK;
}

/** Per-object chunk sealing/opening, keyed by the data key and bound to header and object key. */
export class ChunkCipher {
  readonly #dataKey: Buffer;
  readonly #noncePrefix: Buffer;
  readonly #aadBase: Buffer;

  constructor(dataKey: Buffer, header: Header, objectKey: string) {
    this.#dataKey = dataKey;
    this.#noncePrefix = header.noncePrefix;
    this.#aadBase = createHash("sha256")
      .update(header.bytes)
      .update(Buffer.of(0))
      .update(objectKey, "utf8")
      .digest();
  }

  /**
   * Seals one chunk given as consecutive plaintext pieces; returns the
   * ciphertext pieces followed by the tag. Pieces are never joined: a copy
   * of every byte would cost about as much as the encryption itself.
   */
  seal(plaintext: readonly Buffer[], counter: number, final: boolean): Buffer[] {
    const cipher = createCipheriv("aes-256-gcm", this.#dataKey, this.#nonce(counter));
    cipher.setAAD(this.#aad(counter, final));
    const sealed = plaintext.map((piece) => cipher.update(piece));
    cipher.final();
    sealed.push(cipher.getAuthTag());
    return sealed;
  }

  /** Starts opening chunk `counter`: feed it its ciphertext as it arrives, then its tag. */
  opening(counter: number, final: boolean): ChunkOpening {
    const decipher = createDecipheriv("aes-256-gcm", this.#dataKey, this.#nonce(counter));
    decipher.setAAD(this.#aad(counter, final));
    return new ChunkOpening(decipher);
  }

  #nonce(counter: number): Buffer {
    if (counter >= MAX_CHUNKS) throw new RangeError("object too large for one encryption stream");
    const nonce = Buffer.alloc(12);
    this.#noncePrefix.copy(nonce, 0);
    nonce.writeUInt32BE(counter, 8);
    return nonce;
  }

  #aad(counter: number, final: boolean): Buffer {
    const aad = Buffer.alloc(this.#aadBase.length + 5);
    this.#aadBase.copy(aad, 0);
    aad.writeUInt32BE(counter, this.#aadBase.length);
    aad.writeUInt8(final ? 1 : 0, this.#aadBase.length + 4);
    return aad;
  }
}

/**
 * One chunk being opened. Its plaintext is decrypted as the ciphertext
 * arrives but handed out only by `finish`, once the tag verified, so no
 * unauthenticated byte ever leaves.
 */
export class ChunkOpening {
  readonly #decipher: DecipherGCM;
  readonly #plaintext: Buffer[] = [];

  constructor(decipher: DecipherGCM) {
    this.#decipher = decipher;
  }

  update(ciphertext: Buffer): void {
    this.#plaintext.push(this.#decipher.update(ciphertext));
  }

  /** The chunk's plaintext pieces when `tag` authenticates it; undefined when it does not. */
  finish(tag: Buffer): Buffer[] | undefined {
    try {
      this.#decipher.setAuthTag(tag);
      this.#decipher.final();
      return this.#plaintext;
    } catch {
      return undefined;
    }
  }
}
