import type { BlobStore } from "@webrun/blob-store";
import { readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { type StoredRecord, storedRecordSchema } from "./file-record.js";
import { fileKeys } from "./keys.js";

/** A record as read, with the etag a later compare-and-swap must match. */
export interface VersionedRecord {
  record: StoredRecord;
  etag: string;
}

export async function readRecord(
  store: BlobStore,
  userId: string,
  fileId: string,
): Promise<VersionedRecord | undefined> {
  try {
    const object = await store.get(fileKeys.record(userId, fileId));
    const record = storedRecordSchema.parse(JSON.parse((await readAll(object.body)).toString("utf8")));
    return { record, etag: object.etag };
  } catch (error) {
    if (isWebrunError(error, "BLOB_NOT_FOUND")) return undefined;
    throw error;
  }
}

/**
 * Writes a record only if the key still holds `expected` (an etag), or only if
 * it is absent (`"absent"`). Returns the new etag, or `undefined` when someone
 * else changed the record first.
 */
export async function swapRecord(
  store: BlobStore,
  userId: string,
  record: StoredRecord,
  expected: string | "absent",
): Promise<string | undefined> {
  try {
    const info = await store.put(fileKeys.record(userId, record.fileId), JSON.stringify(record), {
      contentType: "application/json",
      ...(expected === "absent" ? { ifNoneMatch: "*" as const } : { ifMatch: expected }),
    });
    return info.etag;
  } catch (error) {
    if (isWebrunError(error, "BLOB_PRECONDITION_FAILED")) return undefined;
    throw error;
  }
}
