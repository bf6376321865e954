import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Transform, type TransformCallback } from "node:stream";
import type { WebrunError } from "@webrun/errors";
import { entryNameForMessage, envStoreError } from "../errors.js";

/** The size and SHA-256 (lowercase hex) a part of an archive must have. */
export interface ContentDigest {
  size: number;
  sha256: string;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Size and SHA-256 of a file, read as a stream. */
export async function digestFile(filePath: string): Promise<ContentDigest> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(filePath)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Passes bytes through and fails at the end (before signalling end-of-data)
 * unless they had exactly the expected size and SHA-256. A consumer that
 * only commits on a clean end, like a BlobStore put, therefore never
 * commits tampered or truncated content.
 */
export function verifyingStream(expected: ContentDigest, name: string): Transform {
  const hash = createHash("sha256");
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      size += chunk.length;
      if (size > expected.size) {
        callback(integrityError(name, "is larger than recorded"));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback: TransformCallback) {
      if (size !== expected.size) callback(integrityError(name, "is smaller than recorded"));
      else if (hash.digest("hex") !== expected.sha256)
        callback(integrityError(name, "does not match its SHA-256"));
      else callback();
    },
  });
}

export function integrityError(name: string, problem: string): WebrunError {
  const entry = entryNameForMessage(name);
  return envStoreError({
    kind: "integrity",
    code: "ENV_ARCHIVE_INTEGRITY",
    message: `Environment archive entry ${JSON.stringify(entry)} ${problem}`,
    details: { entry },
  });
}
