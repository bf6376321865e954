/**
 * A deliberately naive tar writer for test archives: it writes whatever
 * names, types and sizes it is told, including everything a safe extractor
 * must refuse, which well-behaved libraries will not produce.
 */

export type TarEntryType =
  | "file"
  | "directory"
  | "symlink"
  | "hardlink"
  | "char-device"
  | "block-device"
  | "fifo";

export interface RawTarEntry {
  name: string;
  type?: TarEntryType;
  /** File content; `size` may be given instead to declare a size without content (headers only). */
  content?: Uint8Array | string;
  linkName?: string;
  mode?: number;
  /** A pax `path` record that overrides `name`, as pax-aware readers apply it. */
  paxPath?: string;
}

const typeFlags: Record<TarEntryType, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  "char-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
};

const FIXED_MTIME = 1_700_000_000;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** One 512-byte ustar header; names longer than 100 bytes go through a pax record first. */
export function tarHeader(entry: RawTarEntry, size: number): Buffer {
  const name = Buffer.from(entry.name);
  const chunks: Buffer[] = [];
  if (entry.paxPath !== undefined || name.length > 100 || Buffer.byteLength(entry.linkName ?? "") > 100) {
    const records = [
      `path=${entry.paxPath ?? entry.name}`,
      ...(entry.linkName ? [`linkpath=${entry.linkName}`] : []),
    ]
      .map(paxRecord)
      .join("");
    const body = Buffer.from(records);
    chunks.push(ustarHeader("PaxHeader", "x", body.length, 0o644, ""), pad(body));
  }
  chunks.push(
    ustarHeader(entry.name, typeFlags[entry.type ?? "file"], size, entry.mode ?? 0o644, entry.linkName ?? ""),
  );
  return Buffer.concat(chunks);
}

function paxRecord(record: string): string {
  const body = ` ${record}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (`${length}`.length + Buffer.byteLength(body) !== length) length += 1;
  return `${length}${body}`;
}

function ustarHeader(name: string, typeFlag: string, size: number, mode: number, linkName: string): Buffer {
  const header = Buffer.alloc(512);
  header.write(Buffer.from(name).subarray(0, 100).toString("latin1"), 0, "latin1");
  header.write(octal(mode, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(size, 12), 124);
  header.write(octal(FIXED_MTIME, 12), 136);
  header.write("        ", 148);
  header.write(typeFlag, 156);
  header.write(Buffer.from(linkName).subarray(0, 100).toString("latin1"), 157, "latin1");
  header.write("ustar\u000000", 257, "latin1");
  header.write(octal(0, 8), 329);
  header.write(octal(0, 8), 337);
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148);
  return header;
}

/** Pads to a 512-byte boundary, as every tar record is. */
export function pad(data: Uint8Array): Buffer {
  const remainder = data.length % 512;
  return Buffer.concat([Buffer.from(data), Buffer.alloc(remainder === 0 ? 0 : 512 - remainder)]);
}

/** The two zero blocks that end a tar archive. */
export const END_OF_TAR = Buffer.alloc(1024);

/** A whole uncompressed tar of `entries`, in order, duplicates and all. */
export function rawTar(entries: readonly RawTarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content =
      typeof entry.content === "string" ? Buffer.from(entry.content) : Buffer.from(entry.content ?? []);
    parts.push(tarHeader(entry, content.length), pad(content));
  }
  parts.push(END_OF_TAR);
  return Buffer.concat(parts);
}
