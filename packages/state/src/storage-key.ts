/**
 * Chromium's serialised storage keys, as they appear in the profile's
 * Local Storage and Session Storage leveldbs (blink `StorageKey::Serialize`):
 *
 * - first party: `https://a.test` (Local Storage, no trailing slash) or
 *   `https://a.test/` (Session Storage, with the slash);
 * - third-party storage under partitioning: `https://b.test/^0https://a.test`
 *   (origin, `/`, then `^0` and the top-level site);
 * - other `^N` parts: `^1`/`^2` a nonce (fenced frames, credentialless
 *   iframes: transient storage Chromium itself throws away), `^3` the
 *   cross-site-ancestor bit of a same-site top level (A→B→A), `^4`–`^6` an
 *   opaque top-level site. BrowserState cannot express these, so readers
 *   skip them and report them through `onUnsupportedStorageKey`.
 */
import { type OriginState, originSchema, siteSchema } from "./state.js";

/** The origin and, when partitioned, the top-level site a storage key stands for. */
export type StorageKeyParts = Pick<OriginState, "origin" | "topLevelSite">;

/** Chromium's storage key for an origin's storage: `<origin>` or `<origin>/^0<topLevelSite>` when partitioned. */
export function storageKeyOf(origin: StorageKeyParts): string {
  return origin.topLevelSite === undefined || origin.topLevelSite === origin.origin
    ? origin.origin
    : `${origin.origin}/^0${origin.topLevelSite}`;
}

/** Parses a serialised storage key; `undefined` when BrowserState cannot represent it. */
export function parseStorageKey(serialized: string): StorageKeyParts | undefined {
  const caret = serialized.indexOf("/^");
  if (caret === -1) {
    const origin = serialized.endsWith("/") ? serialized.slice(0, -1) : serialized;
    return originSchema.safeParse(origin).success ? { origin } : undefined;
  }
  const origin = serialized.slice(0, caret);
  const rest = serialized.slice(caret + 1);
  // Only `^0<site>` on its own is a partition BrowserState can express.
  if (!rest.startsWith("^0") || rest.indexOf("^", 2) !== -1) return undefined;
  const topLevelSite = rest.slice(2);
  if (!originSchema.safeParse(origin).success || !siteSchema.safeParse(topLevelSite).success)
    return undefined;
  return { origin, topLevelSite };
}
