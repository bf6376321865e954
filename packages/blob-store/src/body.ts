import { Readable } from "node:stream";
import type { BlobBody } from "./blob-store.js";

/** A BlobBody as a stream, so drivers have one code path. */
export function bodyToStream(body: BlobBody): Readable {
  if (typeof body === "string") return Readable.from([Buffer.from(body)]);
  if (body instanceof Uint8Array)
    return Readable.from([Buffer.from(body.buffer, body.byteOffset, body.byteLength)]);
  return body;
}

/** Reads a whole (small) stream: for metadata records and tests, never for user payloads. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}
