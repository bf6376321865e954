/**
 * BrowserState ↔ Playwright `storageState`. What each direction keeps and
 * drops is listed in the package README ("Playwright interop"); in short:
 * cookies (session flag as `expires: -1`, CHIPS partition keys), first-party
 * localStorage and IndexedDB travel both ways; sessionStorage, partitioned
 * (third-party) storage, extensions and the CDP-only cookie fields do not.
 */

import { stateError } from "../errors.js";
import {
  type BrowserState,
  type BrowserStateInput,
  type Cookie,
  type IndexedDbDatabase,
  type IndexedDbObjectStore,
  type OriginState,
  parseBrowserState,
  SESSION_COOKIE_EXPIRES,
} from "../state.js";
import { decodeTypedJson, encodeTypedJson } from "../typed-json.js";
import { isTrivialValue, parseSerializedValue, serializeValue } from "./serialized-value.js";
import {
  type PlaywrightCookie,
  type PlaywrightIndexedDbDatabase,
  type PlaywrightOrigin,
  type PlaywrightStorageState,
  playwrightStorageStateSchema,
} from "./storage-state-schema.js";

/**
 * Validates a Playwright `storageState` document and converts it. Throws
 * `PLAYWRIGHT_STATE_INVALID` (field paths into the Playwright document) or
 * `STATE_INVALID` (the same paths: cookies and origins keep their indexes).
 */
export function fromPlaywrightStorageState(input: unknown): BrowserState {
  const parsed = playwrightStorageStateSchema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 50).map((issue) => ({
      path: issue.path.map(String).join(".") || "(root)",
      message: issue.message,
    }));
    throw stateError({
      kind: "invalid_input",
      code: "PLAYWRIGHT_STATE_INVALID",
      message: `invalid Playwright storage state: ${issues[0]?.path}: ${issues[0]?.message}`,
      issues,
    });
  }
  const state: BrowserStateInput = {
    version: 1,
    cookies: parsed.data.cookies.map(cookieFromPlaywright),
    origins: parsed.data.origins.map(originFromPlaywright),
  };
  return parseBrowserState(state);
}

/** Converts a BrowserState into a document Playwright's `storageState` option accepts. */
export function toPlaywrightStorageState(state: BrowserState): PlaywrightStorageState {
  return {
    cookies: state.cookies.map(cookieToPlaywright),
    origins: state.origins.filter(isPlaywrightOrigin).map(originToPlaywright),
  };
}

/**
 * What {@link toPlaywrightStorageState} leaves out of `state`, one
 * human-readable line per kind (counts only, never values); `[]` when the
 * conversion loses nothing.
 */
export function playwrightConversionLosses(state: BrowserState): string[] {
  const count = (n: number, what: string) => (n > 0 ? [`${n} ${what}`] : []);
  const partitioned = state.origins.filter(
    (o) => o.topLevelSite !== undefined && o.topLevelSite !== o.origin,
  );
  return [
    ...count(partitioned.length, "partitioned (third-party) origin storage areas"),
    ...count(state.origins.filter((o) => o.sessionStorage.length > 0).length, "origins' sessionStorage"),
    ...count(state.extensions.length, "extensions"),
    ...count(state.webauthn?.credentials.length ?? 0, "passkeys"),
    ...count(
      state.cookies.filter(
        (c) => c.priority !== undefined || c.sourceScheme !== undefined || c.sourcePort !== undefined,
      ).length,
      "cookies' priority/sourceScheme/sourcePort",
    ),
  ];
}

function cookieFromPlaywright(cookie: PlaywrightCookie): Cookie {
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    expires: cookie.expires,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    session: cookie.expires === SESSION_COOKIE_EXPIRES,
    sameSite: cookie.sameSite,
    ...(cookie.partitionKey !== undefined
      ? {
          partitionKey: {
            topLevelSite: cookie.partitionKey,
            // Playwright's own default when the Chromium-only flag is absent.
            hasCrossSiteAncestor: cookie._crHasCrossSiteAncestor ?? true,
          },
        }
      : {}),
  };
}

function cookieToPlaywright(cookie: Cookie): PlaywrightCookie {
  return {
    name: cookie.name,
    value: cookie.value,
    domain: cookie.domain,
    path: cookie.path,
    expires: cookie.expires,
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    // Chromium treats a cookie without SameSite as Lax; Playwright reports it so too.
    sameSite: cookie.sameSite ?? "Lax",
    ...(cookie.partitionKey !== undefined
      ? {
          partitionKey: cookie.partitionKey.topLevelSite,
          _crHasCrossSiteAncestor: cookie.partitionKey.hasCrossSiteAncestor,
        }
      : {}),
  };
}

function originFromPlaywright(origin: PlaywrightOrigin): OriginState {
  return {
    origin: origin.origin,
    localStorage: origin.localStorage.map(({ name, value }) => ({ name, value })),
    sessionStorage: [],
    indexedDB: (origin.indexedDB ?? []).map(databaseFromPlaywright),
  };
}

/** Playwright restores storage by opening the origin as a top-level page: partitioned storage has no place there. */
function isPlaywrightOrigin(origin: OriginState): boolean {
  const firstParty = origin.topLevelSite === undefined || origin.topLevelSite === origin.origin;
  return firstParty && (origin.localStorage.length > 0 || origin.indexedDB.length > 0);
}

function originToPlaywright(origin: OriginState): PlaywrightOrigin {
  return {
    origin: origin.origin,
    localStorage: origin.localStorage.map(({ name, value }) => ({ name, value })),
    ...(origin.indexedDB.length > 0 ? { indexedDB: origin.indexedDB.map(databaseToPlaywright) } : {}),
  };
}

type PlaywrightStore = PlaywrightIndexedDbDatabase["stores"][number];
type KeyPath = string | string[] | null;

function keyPathFromPlaywright(spec: {
  keyPath?: string | undefined;
  keyPathArray?: string[] | undefined;
}): KeyPath {
  return spec.keyPathArray ?? spec.keyPath ?? null;
}

function keyPathToPlaywright(keyPath: KeyPath): { keyPath?: string; keyPathArray?: string[] } {
  if (keyPath === null) return {};
  return Array.isArray(keyPath) ? { keyPathArray: keyPath } : { keyPath };
}

function databaseFromPlaywright(database: PlaywrightIndexedDbDatabase): IndexedDbDatabase {
  return {
    name: database.name,
    version: database.version,
    objectStores: database.stores.map(storeFromPlaywright),
  };
}

function storeFromPlaywright(store: PlaywrightStore): IndexedDbObjectStore {
  const keyPath = keyPathFromPlaywright(store);
  return {
    name: store.name,
    keyPath,
    autoIncrement: store.autoIncrement,
    indexes: store.indexes.map((index) => ({
      name: index.name,
      keyPath: keyPathFromPlaywright(index),
      unique: index.unique,
      multiEntry: index.multiEntry,
    })),
    records: store.records.map((record) => {
      const value = "valueEncoded" in record ? parseSerializedValue(record.valueEncoded) : record.value;
      // Playwright omits in-line keys; they are recomputed from the value so the record stays complete.
      const key =
        keyPath !== null
          ? inlineKey(value, keyPath)
          : "keyEncoded" in record
            ? parseSerializedValue(record.keyEncoded)
            : record.key;
      return { key: encodeTypedJson(key), value: encodeTypedJson(value) };
    }),
  };
}

function databaseToPlaywright(database: IndexedDbDatabase): PlaywrightIndexedDbDatabase {
  return {
    name: database.name,
    version: database.version,
    stores: database.objectStores.map((store) => ({
      name: store.name,
      autoIncrement: store.autoIncrement,
      ...keyPathToPlaywright(store.keyPath),
      records: store.records.map((record) => {
        const value = decodeTypedJson(record.value);
        const encodedValue = isTrivialValue(value) ? { value } : { valueEncoded: serializeValue(value) };
        if (store.keyPath !== null) return encodedValue;
        const key = decodeTypedJson(record.key);
        return { ...(isTrivialValue(key) ? { key } : { keyEncoded: serializeValue(key) }), ...encodedValue };
      }),
      indexes: store.indexes.map((index) => ({
        name: index.name,
        ...keyPathToPlaywright(index.keyPath),
        multiEntry: index.multiEntry,
        unique: index.unique,
      })),
    })),
  };
}

/** The key IndexedDB extracts from `value` with `keyPath` (dotted paths; arrays give compound keys). */
function inlineKey(value: unknown, keyPath: string | string[]): unknown {
  if (Array.isArray(keyPath)) return keyPath.map((path) => inlineKey(value, path));
  if (keyPath === "") return value;
  let current: unknown = value;
  for (const part of keyPath.split(".")) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
