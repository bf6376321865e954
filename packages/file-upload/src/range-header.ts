import type { ByteRange } from "@webrun/blob-store";

/**
 * Parses an HTTP `Range` header for one byte range (`bytes=0-99`, `bytes=100-`,
 * `bytes=-50`). Anything else (other units, several ranges, garbage) yields
 * `undefined`, and RFC 9110 lets a server answer such a request with the whole
 * body; satisfiability against the size is decided by the store.
 */
export function parseRangeHeader(header: string | undefined): ByteRange | undefined {
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "" && last === "") return undefined;
  if (first === "") return { suffix: Number(last) };
  const start = Number(first);
  if (last === "") return { start };
  const end = Number(last);
  return end < start ? undefined : { start, end };
}
