/**
 * Playwright's serialised form of IndexedDB keys and values that are not
 * plain JSON (`keyEncoded`/`valueEncoded`): the format of its
 * `serializeAsCallArgument` with extended serialisation — `{v:"undefined"|
 * "null"|"NaN"|"Infinity"|"-Infinity"|"-0"}`, `{bi}`, `{d}` (ISO date),
 * `{u}` (URL), `{r:{p,f}}`, `{e:{n,m,s}}`, `{ta:{b,k}}`, `{ab:{b}}`,
 * `{a,id}`, `{o:[{k,v}],id}`, `{m:[{k,v}],id}`, `{s,id}`, `{ref}`.
 * We go through the real value, so both directions share the typed-JSON
 * codec's semantics (see `typed-json.ts`).
 */
import type { WebrunError } from "@webrun/errors";
import { stateError } from "../errors.js";

const typedArrayKinds = {
  i8: Int8Array,
  ui8: Uint8Array,
  ui8c: Uint8ClampedArray,
  i16: Int16Array,
  ui16: Uint16Array,
  i32: Int32Array,
  ui32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
  bi64: BigInt64Array,
  bui64: BigUint64Array,
} as const;

type Kind = keyof typeof typedArrayKinds;

const specialValues: Record<string, unknown> = {
  undefined: undefined,
  null: null,
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  "-Infinity": Number.NEGATIVE_INFINITY,
  "-0": -0,
};

function invalid(message: string): WebrunError {
  return stateError({ kind: "invalid_input", code: "PLAYWRIGHT_VALUE_INVALID", message });
}

function bytes(base64: unknown): Uint8Array {
  if (typeof base64 !== "string") throw invalid("encoded bytes must be base64 text");
  return new Uint8Array(Buffer.from(base64, "base64"));
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Playwright-serialised value → the value it stands for. */
export function parseSerializedValue(encoded: unknown, refs = new Map<number, unknown>()): unknown {
  if (encoded === null || typeof encoded !== "object") return encoded;
  const value = encoded as Record<string, unknown>;
  if ("ref" in value) {
    if (!refs.has(Number(value.ref))) throw invalid("encoded value refers to an unknown object");
    return refs.get(Number(value.ref));
  }
  if ("v" in value) return specialValues[String(value.v)];
  if ("d" in value) return new Date(value.d as string);
  if ("u" in value) return String(value.u);
  if ("bi" in value) return BigInt(String(value.bi));
  if ("e" in value) {
    const e = (value.e ?? {}) as Record<string, unknown>;
    const error = new Error(String(e.m ?? ""));
    error.name = String(e.n ?? "Error");
    return error;
  }
  if ("r" in value) {
    const r = (value.r ?? {}) as Record<string, unknown>;
    return new RegExp(String(r.p ?? ""), String(r.f ?? ""));
  }
  if ("ta" in value) {
    const ta = (value.ta ?? {}) as Record<string, unknown>;
    const Ctor = typedArrayKinds[ta.k as Kind];
    if (Ctor === undefined) throw invalid("unknown typed array kind");
    const raw = bytes(ta.b);
    return new Ctor(raw.buffer as ArrayBuffer, 0, raw.byteLength / Ctor.BYTES_PER_ELEMENT);
  }
  if ("ab" in value) return bytes((value.ab as Record<string, unknown> | undefined)?.b).buffer;
  const id = Number(value.id);
  if ("a" in value && Array.isArray(value.a)) {
    const result: unknown[] = [];
    refs.set(id, result);
    for (const item of value.a) result.push(parseSerializedValue(item, refs));
    return result;
  }
  if ("o" in value && Array.isArray(value.o)) {
    const result: Record<string, unknown> = {};
    refs.set(id, result);
    for (const entry of value.o as { k: string; v: unknown }[]) {
      setOwn(result, String(entry.k), parseSerializedValue(entry.v, refs));
    }
    return result;
  }
  if ("m" in value && Array.isArray(value.m)) {
    const result = new Map<unknown, unknown>();
    refs.set(id, result);
    for (const entry of value.m as { k: unknown; v: unknown }[]) {
      result.set(parseSerializedValue(entry.k, refs), parseSerializedValue(entry.v, refs));
    }
    return result;
  }
  if ("s" in value && Array.isArray(value.s)) {
    const result = new Set<unknown>();
    refs.set(id, result);
    for (const item of value.s) result.add(parseSerializedValue(item, refs));
    return result;
  }
  throw invalid("unrecognised encoded value");
}

/** True when Playwright would store `value` as plain JSON (`key`/`value`) rather than encoded. */
export function isTrivialValue(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isTrivialValue);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.values(value as object).every(isTrivialValue);
  }
  return false;
}

/** A value → Playwright's serialised form (what its page script would produce). */
export function serializeValue(
  value: unknown,
  state = { visited: new Map<object, number>(), lastId: 0 },
): unknown {
  if (value === undefined || typeof value === "symbol" || typeof value === "function")
    return { v: "undefined" };
  if (value === null) return { v: "null" };
  if (typeof value === "number") {
    if (Number.isNaN(value)) return { v: "NaN" };
    if (value === Number.POSITIVE_INFINITY) return { v: "Infinity" };
    if (value === Number.NEGATIVE_INFINITY) return { v: "-Infinity" };
    if (Object.is(value, -0)) return { v: "-0" };
    return value;
  }
  if (typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "bigint") return { bi: value.toString() };
  const object = value as object;
  if (object instanceof Error)
    return { e: { n: object.name, m: object.message, s: `${object.name}: ${object.message}` } };
  if (object instanceof Date) return { d: Number.isNaN(object.getTime()) ? null : object.toJSON() };
  if (object instanceof RegExp) return { r: { p: object.source, f: object.flags } };
  for (const [k, Ctor] of Object.entries(typedArrayKinds)) {
    if (object instanceof Ctor) {
      const view = object as ArrayBufferView;
      return { ta: { b: Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString("base64"), k } };
    }
  }
  if (object instanceof ArrayBuffer) return { ab: { b: Buffer.from(object).toString("base64") } };
  const seen = state.visited.get(object);
  if (seen !== undefined) return { ref: seen };
  const id = ++state.lastId;
  state.visited.set(object, id);
  if (object instanceof Map) {
    return {
      m: [...object].map(([k, v]) => ({ k: serializeValue(k, state), v: serializeValue(v, state) })),
      id,
    };
  }
  if (object instanceof Set) return { s: [...object].map((v) => serializeValue(v, state)), id };
  if (Array.isArray(object)) return { a: object.map((v) => serializeValue(v, state)), id };
  // DataView and other objects: Playwright's own serializer keeps only own enumerable properties.
  return {
    o: Object.keys(object).map((k) => ({
      k,
      v: serializeValue((object as Record<string, unknown>)[k], state),
    })),
    id,
  };
}
