import { blobKeyInvalid } from "./errors.js";

/**
 * Keys are `/`-separated, printable, at most 1024 bytes, with no empty, `.`
 * or `..` segment: the same rules on every driver, so a key that works in
 * the embedded store also works on S3 and can never escape the fs root.
 */
export function assertValidKey(key: string): void {
  if (key.length === 0) throw blobKeyInvalid(key, "empty");
  if (Buffer.byteLength(key) > 1024) throw blobKeyInvalid(key, "longer than 1024 bytes");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(key)) throw blobKeyInvalid(key, "control character or backslash");
  for (const segment of key.split("/")) {
    if (segment === "" || segment === "." || segment === "..") {
      throw blobKeyInvalid(key, "empty, '.' or '..' path segment");
    }
  }
}

/** Resolves a byte range against an object size into inclusive offsets, or undefined when unsatisfiable. */
export function resolveRange(
  range: { start: number; end?: number } | { suffix: number },
  size: number,
): { start: number; end: number } | undefined {
  if ("suffix" in range) {
    if (range.suffix <= 0 || size === 0) return undefined;
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (range.start < 0 || range.start >= size) return undefined;
  const end = Math.min(range.end ?? size - 1, size - 1);
  if (end < range.start) return undefined;
  return { start: range.start, end };
}

/** S3's key order: UTF-8 bytes, not JavaScript's UTF-16 code units. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
