/**
 * Playwright's `storageState` document, as playwright-core 1.65 writes it
 * (`BrowserContext.storageState()`, protocol types `NetworkCookie`,
 * `OriginStorage`, `IndexedDBDatabase`) and accepts back. Unknown fields
 * (`opfs`, `credentials`, future additions) are accepted and dropped.
 */
import { z } from "zod";

export const playwrightCookieSchema = z.object({
  name: z.string(),
  value: z.string(),
  domain: z.string(),
  path: z.string(),
  /** Unix seconds; -1 for a session cookie. */
  expires: z.number(),
  httpOnly: z.boolean(),
  secure: z.boolean(),
  sameSite: z.enum(["Strict", "Lax", "None"]),
  /** The top-level site of a partitioned (CHIPS) cookie. */
  partitionKey: z.string().optional(),
  /** Chromium only; Playwright assumes `true` for partitioned cookies when absent. */
  _crHasCrossSiteAncestor: z.boolean().optional(),
});

const keyPathFields = {
  keyPath: z.string().optional(),
  keyPathArray: z.array(z.string()).optional(),
};

export const playwrightIndexedDbDatabaseSchema = z.object({
  name: z.string(),
  version: z.number().int().nonnegative(),
  stores: z.array(
    z.object({
      name: z.string(),
      autoIncrement: z.boolean(),
      ...keyPathFields,
      /** `key`/`value` for plain JSON, `keyEncoded`/`valueEncoded` (Playwright's serializer) otherwise. */
      records: z.array(
        z.object({
          key: z.unknown().optional(),
          keyEncoded: z.unknown().optional(),
          value: z.unknown().optional(),
          valueEncoded: z.unknown().optional(),
        }),
      ),
      indexes: z.array(
        z.object({ name: z.string(), ...keyPathFields, multiEntry: z.boolean(), unique: z.boolean() }),
      ),
    }),
  ),
});

export const playwrightOriginSchema = z.object({
  origin: z.string(),
  localStorage: z.array(z.object({ name: z.string(), value: z.string() })),
  indexedDB: z.array(playwrightIndexedDbDatabaseSchema).optional(),
});

export const playwrightStorageStateSchema = z.object({
  cookies: z.array(playwrightCookieSchema).default([]),
  origins: z.array(playwrightOriginSchema).default([]),
});

export type PlaywrightCookie = z.infer<typeof playwrightCookieSchema>;
export type PlaywrightIndexedDbDatabase = z.infer<typeof playwrightIndexedDbDatabaseSchema>;
export type PlaywrightOrigin = z.infer<typeof playwrightOriginSchema>;
export type PlaywrightStorageState = z.infer<typeof playwrightStorageStateSchema>;
