/**
 * Byte codecs for DOM storage strings. JavaScript strings are UTF-16 code
 * units and may hold lone surrogates, so these work unit by unit instead of
 * through TextEncoder (which would replace lone surrogates with U+FFFD).
 */

/** True when every UTF-16 code unit fits in one Latin-1 byte. */
export function isLatin1(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/** UTF-16LE bytes of `text`, code unit by code unit (lone surrogates kept), written at `offset`. */
export function writeUtf16le(target: Buffer, text: string, offset: number): void {
  for (let i = 0; i < text.length; i++) target.writeUInt16LE(text.charCodeAt(i), offset + 2 * i);
}

/** Latin-1 bytes of `text` (every code unit must be ≤ 0xFF), written at `offset`. */
export function writeLatin1(target: Buffer, text: string, offset: number): void {
  for (let i = 0; i < text.length; i++) target[offset + i] = text.charCodeAt(i);
}

const chunkUnits = 8_192;

/** Decodes UTF-16LE code unit by code unit, so lone surrogates survive; `undefined` on an odd length. */
export function readUtf16le(bytes: Uint8Array): string | undefined {
  if (bytes.length % 2 !== 0) return undefined;
  const units = new Uint16Array(bytes.length / 2);
  for (let i = 0; i < units.length; i++) units[i] = (bytes[2 * i] ?? 0) | ((bytes[2 * i + 1] ?? 0) << 8);
  let text = "";
  for (let start = 0; start < units.length; start += chunkUnits) {
    text += String.fromCharCode(...units.subarray(start, start + chunkUnits));
  }
  return text;
}

/** Decodes Latin-1: one byte, one code unit. */
export function readLatin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
}
