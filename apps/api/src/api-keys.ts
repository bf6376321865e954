import { createHash } from "node:crypto";
import { apiError } from "./errors.js";

/**
 * API keys from `API_KEYS="<key>:<userId>,…"`. Keys are kept only as SHA-256
 * digests, and a token is looked up by its digest: one hash and one map
 * lookup per request, however many keys there are. Timing can then tell an
 * attacker about the digest of what they sent, never about a key (finding a
 * key from its digest is a SHA-256 preimage), and a heap dump holds no key.
 */
export interface ApiKeyring {
  /** The user a bearer token belongs to, or undefined. */
  userFor(token: string): string | undefined;
  readonly size: number;
}

export function parseApiKeys(spec: string): ApiKeyring {
  const users = new Map<string, string>();
  for (const [index, raw] of spec.split(",").entries()) {
    const item = raw.trim();
    if (item === "") continue;
    const separator = item.lastIndexOf(":");
    const key = item.slice(0, separator);
    const userId = item.slice(separator + 1);
    if (separator <= 0 || userId === "" || !/^[A-Za-z0-9_.@-]{1,128}$/.test(userId)) {
      // Name the position, never the key.
      throw apiError({
        kind: "invalid_input",
        code: "CONFIG_INVALID",
        message: `API_KEYS entry ${index + 1} must look like <key>:<userId> (userId: letters, digits, _ . @ -)`,
      });
    }
    if (key.length < 16) {
      throw apiError({
        kind: "invalid_input",
        code: "CONFIG_INVALID",
        message: `API_KEYS entry ${index + 1}: the key must be at least 16 characters`,
      });
    }
    users.set(digestOf(key), userId);
  }
  return {
    size: users.size,
    userFor: (token: string) => users.get(digestOf(token)),
  };
}

function digestOf(value: string): string {
  return createHash("sha256").update(value).digest("base64");
}
