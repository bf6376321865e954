import { createHmac } from "node:crypto";
import type { Keyring } from "@webrun/blob-store";

/** Fingerprints one user's values: the same value, the same short text; the value itself never shows. */
export type ValueFingerprint = (value: string) => string;

const PURPOSE = "value-fingerprint";

/**
 * The keyed fingerprints a version diff shows for changed values (cookies,
 * storage items: secrets). HMAC-SHA256 under a key derived from the active
 * master key (HKDF, purpose `value-fingerprint`) and then the user, so one
 * user's diffs are comparable with each other, another user's fingerprints
 * of the same value differ, and without the master key none can be
 * brute-forced. 16 hex characters: enough to tell values apart, too short
 * to be mistaken for anything else. A master key rotation changes them.
 */
export function createValueFingerprints(keyring: Keyring): (userId: string) => ValueFingerprint {
  const serviceKey = keyring.deriveKey(PURPOSE) as Buffer;
  return (userId) => {
    const userKey = createHmac("sha256", serviceKey).update(userId).digest();
    return (value) => createHmac("sha256", userKey).update(value).digest("hex").slice(0, 16);
  };
}
