/**
 * The two tiny protobuf messages Chromium keeps next to localStorage
 * (`LocalStorageAreaWriteMetaData`, `LocalStorageAreaAccessMetaData`):
 * consecutive varint fields numbered from 1.
 */

/** Microseconds between 1601-01-01 (Windows/Chromium epoch) and 1970-01-01. */
const epochOffsetMicros = 11_644_473_600_000_000n;

/** A date as Chromium's `base::Time` internal value: µs since 1601-01-01 UTC. */
export function microsSince1601(date: Date): bigint {
  return BigInt(date.getTime()) * 1000n + epochOffsetMicros;
}

/** Encodes varint fields 1, 2, … in order. */
export function encodeMessage(fields: readonly bigint[]): Buffer {
  const bytes: number[] = [];
  fields.forEach((value, index) => {
    bytes.push(((index + 1) << 3) | 0);
    let rest = value;
    while (rest >= 0x80n) {
      bytes.push(Number(rest & 0x7fn) | 0x80);
      rest >>= 7n;
    }
    bytes.push(Number(rest));
  });
  return Buffer.from(bytes);
}
