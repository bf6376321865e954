import type { UnitKind } from "../../src/merge/state-units.js";
import { type BrowserState, type Cookie, emptyBrowserState, type OriginState } from "../../src/state.js";

/** One unit of each kind in a few variants, for table-driven merge and diff tests. */
export const earlier = "2026-12-01T10:00:00Z";
export const later = "2026-12-01T11:00:00.5Z";
export const now = new Date("2026-12-05T00:00:00Z");
const future = now.getTime() / 1000 + 86_400 * 30;

export type Variant = "A" | "B" | "C" | undefined;

export function cookie(name: string, value: string, extra: Partial<Cookie> = {}): Cookie {
  return {
    name,
    value,
    domain: ".example.test",
    path: "/",
    expires: future,
    httpOnly: true,
    secure: true,
    session: false,
    ...extra,
  };
}

export function origin(extra: Partial<OriginState>): OriginState {
  return {
    origin: "https://app.example.test",
    localStorage: [],
    sessionStorage: [],
    indexedDB: [],
    ...extra,
  };
}

export const extension = {
  id: "abcdefghijklmnopabcdefghijklmnop",
  name: "Test",
  version: "1.0",
  manifest: { manifest_version: 3 },
  enabled: true,
  files: [],
};

export function database(records: { key: unknown; value: unknown }[], indexName = "byName") {
  return {
    name: "db",
    version: 1,
    objectStores: [
      {
        name: "store",
        keyPath: "id",
        autoIncrement: false,
        indexes: [{ name: indexName, keyPath: "name", unique: false, multiEntry: false }],
        records,
      },
    ],
  };
}

/** A state holding one unit of `kind` with the given variant (absent when undefined), and what it needs around it. */
export const builders: Record<UnitKind, (variant: Variant) => Partial<BrowserState>> = {
  cookie: (v) => ({ cookies: v === undefined ? [] : [cookie("sid", v)] }),
  storageItem: (v) => ({
    origins: v === undefined ? [] : [origin({ sessionStorage: [{ name: "token", value: v }] })],
  }),
  indexedDbSchema: (v) => ({
    origins: v === undefined ? [] : [origin({ indexedDB: [database([], `by${v}`)] })],
  }),
  indexedDbRecord: (v) => ({
    origins: [origin({ indexedDB: [database(v === undefined ? [] : [{ key: 1, value: { v } }])] })],
  }),
  extension: (v) => ({
    extensions: v === undefined ? [] : [{ ...extension, version: v, storage: { local: {}, sync: {} } }],
  }),
  extensionStorage: (v) => ({
    extensions: [{ ...extension, storage: { local: {}, sync: v === undefined ? {} : { auth: { v } } } }],
  }),
};

export function stateOf(kind: UnitKind, variant: Variant, capturedAt: string): BrowserState {
  return { ...emptyBrowserState(), capturedAt, ...builders[kind](variant) };
}
