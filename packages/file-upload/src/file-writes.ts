import { clock, defaultOrphanMaxAgeMs, type FilesContext } from "./context.js";
import { fileErrors, uploadErrors } from "./errors.js";
import { sanitizeFileName } from "./file-name.js";
import { type FileRecord, type FileSummary, isEnvironmentId, newFileId } from "./file-record.js";
import { fileKeys } from "./keys.js";
import type { UploadLimits } from "./limits.js";
import type { Measurement, MeasuringStream } from "./measuring-stream.js";
import { swapRecord } from "./record-store.js";
import { detectContentType } from "./sniff.js";

/**
 * The writes of one stored file, in the order that keeps a crash at any
 * point recoverable by the orphan sweep: marker, blob, record, index entry.
 * Both ways in — a multipart upload and `storeFile` — go through these.
 */

/** One stored file as the upload answers it: the contract's fields plus what was measured. */
export interface UploadedFile extends FileSummary {
  sha256: string;
  /** Type sniffed from the bytes, else the one the client declared. */
  contentType: string | null;
  environmentId: string | null;
}

/** A file on its way into the store. */
export interface IncomingFile {
  fileId: string;
  createdAt: Date;
  originalName: string;
  declaredType: string | null;
  /** Set once its record is written: only then is the record ours to delete. */
  recordWritten: boolean;
}

/**
 * A file about to be stored. `after`: the `createdAt` of the file sent just
 * before it in the same request; a file that starts in that same millisecond
 * gets the next one, so a listing (oldest first) keeps the order they were sent in.
 */
export function newIncomingFile(
  context: FilesContext,
  fileName: string | undefined,
  mimeType: string | undefined,
  after?: Date,
): IncomingFile {
  const now = clock(context);
  return {
    fileId: newFileId(),
    createdAt: after && now <= after ? new Date(after.getTime() + 1) : now,
    originalName: sanitizeFileName(fileName),
    declaredType: normalizeType(mimeType),
    recordWritten: false,
  };
}

/** Unknown, malformed and another user's environment ids all read as not found. */
export async function assertEnvironmentExists(
  context: FilesContext,
  userId: string,
  environmentId: string,
): Promise<void> {
  if (!isEnvironmentId(environmentId) || !(await context.environments.exists(userId, environmentId)))
    throw fileErrors.environmentNotFound();
}

/** The marker first, so a crash at any later point leaves something for the sweep to find. */
export async function writeFileBlob(
  context: FilesContext,
  userId: string,
  file: IncomingFile,
  sink: MeasuringStream,
  signal: AbortSignal,
): Promise<Measurement> {
  const { store } = context;
  await store.put(fileKeys.unattachedMarker(file.createdAt, userId, file.fileId), "", { signal });
  signal.throwIfAborted();
  const info = await store.put(fileKeys.blob(userId, file.fileId), sink, {
    signal,
    contentType: file.declaredType ?? "application/octet-stream",
  });
  const measurement = sink.measurement();
  if (info.size !== measurement.size) throw uploadErrors.sizeMismatch(file.originalName);
  return measurement;
}

/**
 * Writes the record (an orphan's when `environmentId` is null) and, for an
 * environment's file, its index entry; then the marker goes.
 */
export async function commitFileRecord(
  context: FilesContext,
  userId: string,
  file: IncomingFile,
  measurement: Measurement,
  environmentId: string | null,
  limits: UploadLimits,
): Promise<UploadedFile> {
  const { store } = context;
  const detectedType = await detectContentType(measurement.head);
  const maxAge = context.orphanMaxAgeMs ?? defaultOrphanMaxAgeMs;
  const record: FileRecord = {
    version: 1,
    state: "active",
    fileId: file.fileId,
    userId,
    environmentId,
    originalName: file.originalName,
    size: measurement.size,
    sha256: measurement.sha256,
    declaredType: file.declaredType,
    detectedType,
    createdAt: file.createdAt.toISOString(),
    expiresAt: environmentId ? null : new Date(file.createdAt.getTime() + maxAge).toISOString(),
  };
  // ifNoneMatch: a sweeper that judged this upload abandoned holds the key; then we must not commit.
  if ((await swapRecord(store, userId, record, "absent")) === undefined)
    throw uploadErrors.tooSlow(limits.maxDurationMs);
  file.recordWritten = true;
  // A sweeper that already finished (claim, delete bytes, release the key) is seen here: its deletion
  // of the bytes came before our record, so a record never survives pointing at nothing.
  if ((await store.head(fileKeys.blob(userId, file.fileId))) === undefined)
    throw uploadErrors.tooSlow(limits.maxDurationMs);
  if (environmentId) {
    await store.put(fileKeys.environmentEntry(userId, environmentId, file.fileId), "");
    await store.delete(fileKeys.unattachedMarker(file.createdAt, userId, file.fileId));
  }
  return {
    fileId: record.fileId,
    originalName: record.originalName,
    size: record.size,
    sha256: record.sha256,
    contentType: detectedType ?? file.declaredType,
    environmentId,
  };
}

/**
 * Deletes everything written for `file`: record first, so none ever points to
 * a missing blob. A record key it never wrote may hold a sweeper's tombstone: left alone.
 */
export async function removeFileWrites(
  context: FilesContext,
  userId: string,
  file: IncomingFile,
  environmentId: string | null,
): Promise<void> {
  const { store } = context;
  if (file.recordWritten) {
    await store.delete(fileKeys.record(userId, file.fileId));
    if (environmentId) await store.delete(fileKeys.environmentEntry(userId, environmentId, file.fileId));
  }
  await store.delete(fileKeys.blob(userId, file.fileId));
  // Last: if anything above failed, the marker lets the sweep finish the job.
  await store.delete(fileKeys.unattachedMarker(file.createdAt, userId, file.fileId));
}

/** `application/pdf; charset=…` → `application/pdf`; nothing or junk → null. */
function normalizeType(mimeType: string | undefined): string | null {
  const type = mimeType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? type : null;
}
