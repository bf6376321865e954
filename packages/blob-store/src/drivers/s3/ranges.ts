import type { GetOptions } from "../../blob-store.js";

/** Our byte range as an HTTP `Range` header value. */
export function rangeHeader(range: NonNullable<GetOptions["range"]>): string {
  if ("suffix" in range) return `bytes=-${range.suffix}`;
  return `bytes=${range.start}-${range.end ?? ""}`;
}

/** A `Content-Range: bytes start-end/size` header, or undefined when absent or of another form. */
export function parseContentRange(
  value: string | undefined,
): { start: number; end: number; size: number } | undefined {
  const match = value && /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value);
  if (!match) return undefined;
  return { start: Number(match[1]), end: Number(match[2]), size: Number(match[3]) };
}
