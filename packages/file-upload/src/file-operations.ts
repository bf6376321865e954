import type { Readable } from "node:stream";
import { isWebrunError } from "@webrun/errors";
import { attachmentDisposition } from "./content-disposition.js";
import type { FilesContext } from "./context.js";
import { fileErrors } from "./errors.js";
import {
  type FileRecord,
  type FileSummary,
  isEnvironmentId,
  isFileId,
  type StoredRecord,
  summarize,
} from "./file-record.js";
import { assertEnvironmentExists } from "./file-writes.js";
import { fileKeys } from "./keys.js";
import { parseRangeHeader } from "./range-header.js";
import { readRecord, swapRecord } from "./record-store.js";

/** A user's live file, or `undefined` (unknown id, another user's, or already expiring). */
export async function getFile(
  context: FilesContext,
  userId: string,
  fileId: string,
): Promise<FileRecord | undefined> {
  if (!isFileId(fileId)) return undefined;
  const found = await readRecord(context.store, userId, fileId);
  return found?.record.state === "active" ? found.record : undefined;
}

/** A download ready to send: status, headers and the streamed body. */
export interface FileDownload {
  file: FileRecord;
  /** 206 when a satisfiable single range was asked for, else 200. */
  status: 200 | 206;
  headers: Record<string, string>;
  body: Readable;
}

/**
 * Opens a user's file for download, whole or one byte range (`rangeHeader`
 * is the request's `Range` header, as is). The headers carry a safe
 * `Content-Disposition: attachment`, `nosniff`, and a type that never lets
 * uploaded HTML render inline. Unknown/foreign id → `FILE_NOT_FOUND`; a range
 * outside the file → `RANGE_NOT_SATISFIABLE` with `details.size` (send 416
 * with `Content-Range: bytes *\/<size>`).
 */
export async function openFileDownload(
  context: FilesContext,
  userId: string,
  fileId: string,
  rangeHeader?: string,
): Promise<FileDownload> {
  const file = await getFile(context, userId, fileId);
  if (!file) throw fileErrors.fileNotFound();
  const range = parseRangeHeader(rangeHeader);
  let object: Awaited<ReturnType<typeof context.store.get>>;
  try {
    object = await context.store.get(fileKeys.blob(userId, fileId), range ? { range } : {});
  } catch (error) {
    if (isWebrunError(error, "BLOB_RANGE_NOT_SATISFIABLE")) throw fileErrors.rangeNotSatisfiable(file.size);
    if (isWebrunError(error, "BLOB_NOT_FOUND")) throw fileErrors.fileNotFound();
    throw error;
  }
  const headers: Record<string, string> = {
    "content-type": file.detectedType ?? "application/octet-stream",
    "content-disposition": attachmentDisposition(file.originalName),
    "x-content-type-options": "nosniff",
    "accept-ranges": "bytes",
    etag: `"${file.sha256}"`,
    "cache-control": "private, no-store",
  };
  if (object.range) {
    headers["content-length"] = String(object.range.end - object.range.start + 1);
    headers["content-range"] = `bytes ${object.range.start}-${object.range.end}/${file.size}`;
    return { file, status: 206, headers, body: object.body };
  }
  headers["content-length"] = String(file.size);
  return { file, status: 200, headers, body: object.body };
}

/** The files attached to an environment, oldest first (one request's files in the order sent). Unknown or foreign environment → `ENVIRONMENT_NOT_FOUND`. */
export async function listEnvironmentFiles(
  context: FilesContext,
  userId: string,
  environmentId: string,
): Promise<FileSummary[]> {
  await assertEnvironmentExists(context, userId, environmentId);
  return attachedFiles(context, userId, environmentId);
}

/**
 * The files of an environment the caller has just read itself (that read
 * is its existence check, so none is made here). Only the user's own
 * entries are listed whatever the id: an unknown one has none.
 */
export async function attachedFiles(
  context: FilesContext,
  userId: string,
  environmentId: string,
): Promise<FileSummary[]> {
  if (!isEnvironmentId(environmentId)) return [];
  const { records } = await environmentRecords(context, userId, environmentId);
  return records
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.fileId.localeCompare(b.fileId))
    .map(summarize);
}

/** Removes one file of an environment. Unknown environment → `ENVIRONMENT_NOT_FOUND`; file not on it → `FILE_NOT_FOUND`. */
export async function deleteFile(
  context: FilesContext,
  userId: string,
  environmentId: string,
  fileId: string,
): Promise<void> {
  await assertEnvironmentExists(context, userId, environmentId);
  const file = await getFile(context, userId, fileId);
  if (!file || file.environmentId !== environmentId) throw fileErrors.fileNotFound();
  await removeFile(context, userId, environmentId, fileId);
}

/**
 * Removes every file of an environment (its deletion calls this; the
 * environment itself may already be gone, so it is not checked). Returns how
 * many files were removed.
 */
export async function deleteEnvironmentFiles(
  context: FilesContext,
  userId: string,
  environmentId: string,
): Promise<number> {
  if (!isEnvironmentId(environmentId)) return 0;
  const { records, strays } = await environmentRecords(context, userId, environmentId);
  await inBatches(records, (record) => removeFile(context, userId, environmentId, record.fileId));
  // Entries whose record was already gone (an interrupted delete) go too.
  await inBatches(strays, (fileId) =>
    context.store.delete(fileKeys.environmentEntry(userId, environmentId, fileId)),
  );
  return records.length;
}

/** The record goes first: the file disappears at once, and a crash leaves only unreferenced bytes. */
async function removeFile(context: FilesContext, userId: string, environmentId: string, fileId: string) {
  const { store } = context;
  await store.delete(fileKeys.record(userId, fileId));
  await store.delete(fileKeys.blob(userId, fileId));
  await store.delete(fileKeys.environmentEntry(userId, environmentId, fileId));
}

/**
 * Attaches orphans to an environment so they no longer expire; the session
 * orchestrator calls this with the file ids a session or task names. All ids
 * are checked before anything changes: an unknown or foreign id
 * (`FILE_NOT_FOUND`), one already swept (`FILE_EXPIRED`) or one on another
 * environment (`FILE_ATTACHED_ELSEWHERE`) is an error naming it. Files
 * already on this environment are fine (idempotent). Each promotion is a
 * compare-and-swap on the record, so racing a sweep it either wins (the file
 * is kept) or loses with `FILE_EXPIRED` — never a silent loss.
 */
export async function promoteFiles(
  context: FilesContext,
  userId: string,
  environmentId: string,
  fileIds: readonly string[],
): Promise<FileSummary[]> {
  await assertEnvironmentExists(context, userId, environmentId);
  const unique = [...new Set(fileIds)];
  for (const fileId of unique) {
    const found = isFileId(fileId) ? await readRecord(context.store, userId, fileId) : undefined;
    assertPromotable(fileId, found?.record, environmentId);
  }
  const promoted: FileSummary[] = [];
  for (const fileId of unique) promoted.push(await promoteOne(context, userId, environmentId, fileId));
  return promoted;
}

async function promoteOne(
  context: FilesContext,
  userId: string,
  environmentId: string,
  fileId: string,
): Promise<FileSummary> {
  const { store } = context;
  for (let lostSwap = false; ; lostSwap = true) {
    const found = await readRecord(store, userId, fileId);
    // Gone after we lost a swap means a sweeper took it, not that it never existed.
    if (!found && lostSwap) throw fileErrors.fileExpired(fileId);
    const record = assertPromotable(fileId, found?.record, environmentId);
    if (record.environmentId === null) {
      const attached: FileRecord = { ...record, environmentId, expiresAt: null };
      // Lost the swap: a sweeper claimed it or another promotion landed; read again and decide.
      if ((await swapRecord(store, userId, attached, found?.etag as string)) === undefined) continue;
    }
    // Also repairs a promotion interrupted between the swap and these two writes.
    await store.put(fileKeys.environmentEntry(userId, environmentId, fileId), "");
    await store.delete(fileKeys.unattachedMarker(new Date(record.createdAt), userId, fileId));
    return summarize(record);
  }
}

function assertPromotable(
  fileId: string,
  record: StoredRecord | undefined,
  environmentId: string,
): FileRecord {
  if (!record) throw fileErrors.fileNotFound(fileId);
  if (record.state !== "active") throw fileErrors.fileExpired(fileId);
  if (record.environmentId !== null && record.environmentId !== environmentId)
    throw fileErrors.fileOnOtherEnvironment(fileId);
  return record;
}

/** The live records an environment's index points to; stale entries (record gone or moved) are skipped. */
/** The live records an environment's entries point to, and the entries (file ids) that point to none of its files. */
async function environmentRecords(context: FilesContext, userId: string, environmentId: string) {
  const prefix = fileKeys.environmentPrefix(userId, environmentId);
  const fileIds: string[] = [];
  for await (const entry of context.store.list(prefix)) fileIds.push(entry.key.slice(prefix.length));
  const records: FileRecord[] = [];
  const strays: string[] = [];
  await inBatches(fileIds, async (fileId) => {
    const record = await getFile(context, userId, fileId);
    if (record?.environmentId === environmentId) records.push(record);
    else strays.push(fileId);
  });
  return { records, strays };
}

/** Runs `work` over items, 8 at a time: enough to hide store latency without flooding it. */
async function inBatches<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  for (let index = 0; index < items.length; index += 8)
    await Promise.all(items.slice(index, index + 8).map(work));
}
