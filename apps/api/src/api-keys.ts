import { createHash, timingSafeEqual } from "node:crypto";
import { apiError } from "./errors.js";

/**
 * API keys from `API_KEYS="<key>:<userId>,…"`. Keys are kept only as SHA-256
 * digests and compared in constant time, so neither a timing side channel
 * nor a heap dump in a log gives a key away.
 */
export interface ApiKeyring {
  /** The user a bearer token belongs to, or undefined. */
  userFor(token: string): string | undefined;
  readonly size: number;
}

export function parseApiKeys(spec: string): ApiKeyring {
  const entries: { digest: Buffer; userId: string }[] = [];
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
    entries.push({ digest: digestOf(key), userId });
  }
  return {
    size: entries.length,
    userFor(token: string): string | undefined {
      const digest = digestOf(token);
      let match: string | undefined;
      // Visit every entry so the time taken does not depend on which one matched.
      for (const entry of entries) {
        if (timingSafeEqual(entry.digest, digest)) match = entry.userId;
      }
      return match;
    },
  };
}

function digestOf(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
