import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
} from "node:crypto";
import { inspect } from "node:util";
import { masterKeyInvalid } from "../errors.js";

/** Master keys are AES-256 keys. */
export const MASTER_KEY_BYTES = 32;
/** Key ids travel in every object header (padded to this many bytes), so they stay short and printable. */
export const MAX_KEY_ID_LENGTH = 32;
const keyIdPattern = /^[A-Za-z0-9._-]{1,32}$/;

/** A data key sealed under a master key: what an object header stores. */
export interface WrappedDataKey {
  keyId: string;
  nonce: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/**
 * Master keys by id, one of them active for writing; the others still
 * decrypt what they wrote, which is how keys rotate. The key material lives
 * in private fields as KeyObjects and never appears in `toString`, JSON or
 * `util.inspect` output.
 */
export class Keyring {
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly activeKeyId: string;

  constructor(keys: ReadonlyMap<string, Uint8Array>, activeKeyId: string) {
    if (keys.size === 0) throw masterKeyInvalid("no master key configured");
    const objects = new Map<string, KeyObject>();
    for (const [id, bytes] of keys) {
      assertKeyId(id);
      if (bytes.byteLength !== MASTER_KEY_BYTES)
        throw masterKeyInvalid(`master key ${id} must be ${MASTER_KEY_BYTES} bytes, got ${bytes.byteLength}`);
      objects.set(id, createSecretKey(Buffer.from(bytes)));
    }
    if (!objects.has(activeKeyId))
      throw masterKeyInvalid(`active master key id ${activeKeyId} is not configured`);
    this.#keys = objects;
    this.activeKeyId = activeKeyId;
  }

  /** Ids of every key that can decrypt, active one included. */
  get keyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  /** Seals a data key under the active master key; `aad` binds it to the object it protects. */
  wrapDataKey(dataKey: Buffer, aad: Buffer): WrappedDataKey {
    const master = this.#keys.get(this.activeKeyId) as KeyObject;
    const nonce = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", master, nonce);
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return { keyId: this.activeKeyId, nonce, ciphertext, tag: cipher.getAuthTag() };
  }

  /** Opens a wrapped data key; `undefined` when the key id is unknown or authentication fails. */
  unwrapDataKey(wrapped: WrappedDataKey, aad: Buffer): Buffer | undefined {
    const master = this.#keys.get(wrapped.keyId);
    if (!master) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", master, wrapped.nonce);
      decipher.setAAD(aad);
      decipher.setAuthTag(wrapped.tag);
      return Buffer.concat([decipher.update(wrapped.ciphertext), decipher.final()]);
    } catch {
      return undefined;
    }
  }

  /**
   * A key for another purpose (e.g. signing download URLs), derived from a
   * master key with HKDF-SHA256 so the master key itself is never used
   * outside encryption. `purpose` separates uses; `keyId` defaults to the
   * active key (verifiers pass the id the signer recorded). `undefined` when
   * that key id is not configured.
   */
  deriveKey(purpose: string, keyId: string = this.activeKeyId): Buffer | undefined {
    const master = this.#keys.get(keyId);
    if (!master) return undefined;
    return Buffer.from(hkdfSync("sha256", master, Buffer.alloc(0), `webrun:${purpose}`, 32));
  }

  toJSON(): { activeKeyId: string; keyIds: readonly string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }

  toString(): string {
    return `Keyring(active=${this.activeKeyId}, keys=${this.keyIds.join(",")})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function assertKeyId(id: string): void {
  if (!keyIdPattern.test(id))
    throw masterKeyInvalid(
      `master key id ${JSON.stringify(id.slice(0, 40))} must be 1-${MAX_KEY_ID_LENGTH} characters of A-Z a-z 0-9 . _ -`,
    );
}

export interface KeyringConfig {
  /** `"id1:base64,id2:base64"`: each a 32-byte key in standard or URL-safe base64. */
  masterKeys: string;
  /** Which key encrypts new objects; may be omitted when only one key is given. */
  activeKeyId?: string;
}

/**
 * Builds a keyring from configuration (e.g. `MASTER_KEYS` and
 * `MASTER_KEY_ID`). Errors name the offending key id, never its material.
 */
export function keyringFromConfig(config: KeyringConfig): Keyring {
  const keys = new Map<string, Uint8Array>();
  const entries = config.masterKeys
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(":");
    if (colon <= 0) throw masterKeyInvalid(`master key entry ${index + 1} must look like <id>:<base64>`);
    const id = entry.slice(0, colon);
    assertKeyId(id);
    if (keys.has(id)) throw masterKeyInvalid(`master key id ${id} is given twice`);
    keys.set(id, decodeMasterKey(entry.slice(colon + 1), `master key ${id}`));
  }
  if (keys.size === 0) throw masterKeyInvalid("no master key configured");
  let activeKeyId = config.activeKeyId;
  if (activeKeyId === undefined) {
    if (keys.size > 1) throw masterKeyInvalid("several master keys configured: name the active one");
    activeKeyId = [...keys.keys()][0] as string;
  }
  return new Keyring(keys, activeKeyId);
}

/** Decodes base64 (standard or URL-safe) into exactly 32 bytes, or throws without echoing the input. */
export function decodeMasterKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) throw masterKeyInvalid(`${what} is not base64`);
  const bytes = Buffer.from(trimmed.replaceAll("-", "+").replaceAll("_", "/"), "base64");
  if (bytes.length !== MASTER_KEY_BYTES)
    throw masterKeyInvalid(`${what} must decode to ${MASTER_KEY_BYTES} bytes, got ${bytes.length}`);
  return bytes;
}
