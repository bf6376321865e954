import { type BlobStore, readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import type { z } from "zod";
import { envStoreError, storeContention } from "../errors.js";

/** A small JSON document read together with the etag a compare-and-swap needs. */
export interface Versioned<T> {
  value: T;
  etag: string;
}

/** Reads and validates a JSON object; `undefined` when it does not exist. */
export async function readJson<T>(
  store: BlobStore,
  key: string,
  schema: z.ZodType<T>,
): Promise<Versioned<T> | undefined> {
  let object: Awaited<ReturnType<BlobStore["get"]>>;
  try {
    object = await store.get(key);
  } catch (error) {
    if (isWebrunError(error, "BLOB_NOT_FOUND")) return undefined;
    throw error;
  }
  const bytes = await readAll(object.body);
  const invalid = (cause: unknown) =>
    envStoreError({
      kind: "integrity",
      code: "STORED_DOCUMENT_INVALID",
      message: `stored document ${key} is not valid`,
      cause,
    });
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw invalid(error);
  }
  const parsed = schema.safeParse(document);
  if (!parsed.success) throw invalid(parsed.error);
  return { value: parsed.data, etag: object.etag };
}

/** Writes a JSON object, conditionally: `etag` for compare-and-swap, `"absent"` to create only. Returns the new etag. */
export async function writeJson(
  store: BlobStore,
  key: string,
  value: unknown,
  condition: { etag: string } | "absent" | "any",
): Promise<string> {
  const body = Buffer.from(JSON.stringify(value));
  const info = await store.put(key, body, {
    contentLength: body.length,
    contentType: "application/json",
    ...(condition === "absent" ? { ifNoneMatch: "*" as const } : {}),
    ...(typeof condition === "object" ? { ifMatch: condition.etag } : {}),
  });
  return info.etag;
}

export function isPreconditionFailure(error: unknown): boolean {
  return isWebrunError(error, "BLOB_PRECONDITION_FAILED");
}

const MAX_ATTEMPTS = 60;

/**
 * Runs an optimistic read-modify-write until its compare-and-swap lands.
 * `attempt` returns normally when done and throws a precondition failure
 * when another writer got there first; the loop then backs off with jitter
 * (so racing writers spread out) and tries again on fresh data.
 */
export async function retryOnConflict<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  for (let round = 0; round < MAX_ATTEMPTS; round += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (!isPreconditionFailure(error)) throw error;
      const ceiling = Math.min(200, 5 * 2 ** Math.min(round, 6));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
    }
  }
  throw storeContention(what);
}
