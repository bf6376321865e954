import { Transform, type TransformCallback } from "node:stream";
import type { Gunzip } from "node:zlib";
import { archiveError, notTarGzError } from "../errors.js";
import type { ArchiveLimits } from "./limits.js";

const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** Compressed and inflated byte counts of one archive read, shared by the two meters. */
export interface ByteCounts {
  /** Read from the source. */
  compressed: number;
  /** Consumed by gunzip so far (lags `compressed` by what is buffered). */
  consumed: number;
  inflated: number;
}

/**
 * Sits before gunzip: refuses input that does not start with the gzip magic
 * bytes (so a plain tar, a zip or random bytes get the contract's message
 * rather than a zlib error) and counts compressed bytes against the cap.
 */
export function compressedMeter(limits: ArchiveLimits, counts: ByteCounts): Transform {
  let checkedMagic = false;
  let head = Buffer.alloc(0);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      counts.compressed += chunk.length;
      if (counts.compressed > limits.maxCompressedBytes) {
        callback(tooLarge(`Archive is larger than ${limits.maxCompressedBytes} bytes`));
        return;
      }
      if (checkedMagic) {
        callback(null, chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      if (head.length < GZIP_MAGIC.length) {
        callback();
        return;
      }
      if (head[0] !== GZIP_MAGIC[0] || head[1] !== GZIP_MAGIC[1]) {
        callback(notTarGzError());
        return;
      }
      checkedMagic = true;
      callback(null, head);
    },
    flush(callback: TransformCallback) {
      callback(checkedMagic ? null : notTarGzError());
    },
  });
}

/**
 * Sits after gunzip: enforces the absolute inflated cap and the
 * compression ratio while the data flows, so a bomb is stopped after at
 * most one zlib chunk past the limit instead of after it filled a disk.
 */
export function inflatedMeter(limits: ArchiveLimits, counts: ByteCounts, gunzip: Gunzip): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      counts.inflated += chunk.length;
      // What zlib actually consumed, not what was read ahead: one big source chunk must not buy a big allowance.
      counts.consumed = gunzip.bytesWritten;
      if (counts.inflated > limits.maxInflatedBytes) {
        callback(
          archiveError("ARCHIVE_BOMB", `Archive inflates to more than ${limits.maxInflatedBytes} bytes`, {
            kind: "too_large",
            details: { ...counts },
          }),
        );
        return;
      }
      if (
        counts.inflated > limits.ratioCheckAfterBytes &&
        counts.inflated > counts.consumed * limits.maxCompressionRatio
      ) {
        callback(
          archiveError(
            "ARCHIVE_BOMB",
            `Archive compression ratio exceeds ${limits.maxCompressionRatio}:1 (a compression bomb?)`,
            { details: { ...counts } },
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
}

function tooLarge(message: string) {
  return archiveError("ARCHIVE_TOO_LARGE", message, { kind: "too_large" });
}
