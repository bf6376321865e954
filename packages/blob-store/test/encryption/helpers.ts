import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { isWebrunError } from "@webrun/errors";
import { type BlobStore, Keyring, readAll } from "../../src/index.js";

export function randomKeyring(ids: string[] = ["k1"], active = ids[0] as string): Keyring {
  return new Keyring(new Map(ids.map((id) => [id, randomBytes(32)])), active);
}

/** Reads a stream to its end or first error, keeping what arrived before the error. */
export async function drain(stream: Readable): Promise<{ bytes: Buffer; error?: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks) };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

export async function rawBytes(store: BlobStore, key: string): Promise<Buffer> {
  return readAll((await store.get(key)).body);
}

export function isTampered(error: unknown): boolean {
  return isWebrunError(error, "BLOB_TAMPERED") && error.kind === "integrity";
}
