import { createHash } from "node:crypto";
import { join } from "node:path";

/*
 * How keys map to paths under `<root>/objects`. Each key segment becomes a
 * path component: unreserved ASCII stays, every other byte is %XX. Objects
 * are files named by the encoded segment; "directories" get an `@` suffix,
 * so the key `a` (a file) and the keys under `a/` (the directory `a@`) never
 * collide. `#` never appears in an encoded segment: names containing it are
 * ours (`#segment`), never an object. Segments too long for a file name are
 * shortened with a hash marked by `+`; their true segment is read from the
 * object's record, or from the directory's `#segment` file.
 */

const maxEncodedLength = 200;
const directorySuffix = "@";
export const segmentFileName = "#segment";

function encodeSegment(segment: string): string {
  let encoded = "";
  for (const byte of Buffer.from(segment)) {
    const unreserved =
      (byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x2d ||
      byte === 0x2e ||
      byte === 0x5f;
    encoded += unreserved
      ? String.fromCharCode(byte)
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  if (encoded.length <= maxEncodedLength) return encoded;
  return `${encoded.slice(0, 120)}+${createHash("sha256").update(segment).digest("hex")}`;
}

/** The segment an entry name stands for, or undefined when it was shortened (read it from disk). */
export function decodeName(name: string): string | undefined {
  const encoded = name.endsWith(directorySuffix) ? name.slice(0, -1) : name;
  if (encoded.includes("+")) return undefined;
  return Buffer.from(
    encoded.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
    "latin1",
  ).toString("utf8");
}

export function isInternalName(name: string): boolean {
  return name.includes("#");
}

export function isDirectoryName(name: string): boolean {
  return name.endsWith(directorySuffix);
}

/** Whether the entry name was shortened, so its true segment must be read from disk. */
export function isShortenedName(name: string): boolean {
  return name.includes("+");
}

export function directoryNameFor(segment: string): string {
  return encodeSegment(segment) + directorySuffix;
}

/** The file holding `key`, and the directories leading to it (with the segment each stands for). */
export function objectPath(
  objectsRoot: string,
  key: string,
): { file: string; directories: { path: string; segment: string }[] } {
  const segments = key.split("/");
  const last = segments.pop() as string;
  const directories: { path: string; segment: string }[] = [];
  let path = objectsRoot;
  for (const segment of segments) {
    path = join(path, directoryNameFor(segment));
    directories.push({ path, segment });
  }
  return { file: join(path, encodeSegment(last)), directories };
}

/** The deepest directory that can hold every key starting with `prefix`, and the key prefix it stands for. */
export function listingStart(objectsRoot: string, prefix: string): { path: string; keyPrefix: string } {
  const segments = prefix.split("/");
  segments.pop();
  let path = objectsRoot;
  for (const segment of segments) path = join(path, directoryNameFor(segment));
  return { path, keyPrefix: segments.length > 0 ? `${segments.join("/")}/` : "" };
}
