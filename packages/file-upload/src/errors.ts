import { errorFactory, isWebrunError, type WebrunError } from "@webrun/errors";
import { formatBytes } from "./limits.js";

/** Every code @webrun/file-upload throws. Clients and tests rely on them: add codes, never rename one. */
export type FileUploadErrorCode =
  | "ENVIRONMENT_NOT_FOUND"
  | "FIELD_NAME_TOO_LONG"
  | "FIELD_TOO_LARGE"
  | "FILE_ATTACHED_ELSEWHERE"
  | "FILE_EXPIRED"
  | "FILE_NOT_FOUND"
  | "FILE_SIZE_MISMATCH"
  | "FILE_STORAGE_UNAVAILABLE"
  | "FILE_TOO_LARGE"
  | "RANGE_NOT_SATISFIABLE"
  | "TOO_MANY_FIELDS"
  | "TOO_MANY_FILES"
  | "TOO_MANY_PARTS"
  | "UPLOAD_ABORTED"
  | "UPLOAD_DUPLICATE_FIELD"
  | "UPLOAD_MALFORMED"
  | "UPLOAD_NOT_MULTIPART"
  | "UPLOAD_NO_FILE"
  | "UPLOAD_TIMEOUT"
  | "UPLOAD_UNEXPECTED_FIELD";

export type FileUploadError = WebrunError<FileUploadErrorCode>;

/** Makes every error of @webrun/file-upload; a code outside {@link FileUploadErrorCode} does not compile. */
export const fileUploadError = errorFactory<FileUploadErrorCode>();

/** The answers an upload or a file operation gives; codes are stable, messages are for people. */
export const uploadErrors = {
  notMultipart: () =>
    fileUploadError({
      kind: "invalid_input",
      code: "UPLOAD_NOT_MULTIPART",
      message: "Expected a multipart/form-data request",
    }),
  malformed: (reason: string, cause?: unknown) =>
    fileUploadError({
      kind: "invalid_input",
      code: "UPLOAD_MALFORMED",
      message: `Malformed multipart body: ${reason}`,
      cause,
    }),
  noFile: () =>
    fileUploadError({ kind: "invalid_input", code: "UPLOAD_NO_FILE", message: "No file provided" }),
  unexpectedFileField: (name: string) =>
    fileUploadError({
      kind: "invalid_input",
      code: "UPLOAD_UNEXPECTED_FIELD",
      message: `Unexpected file field ${quote(name)}: send files in the "files" field`,
    }),
  unexpectedField: (name: string) =>
    fileUploadError({
      kind: "invalid_input",
      code: "UPLOAD_UNEXPECTED_FIELD",
      message: `Unexpected field ${quote(name)}: expected "files" and optionally "environmentId"`,
    }),
  filesFieldNotFile: () =>
    fileUploadError({
      kind: "invalid_input",
      code: "UPLOAD_UNEXPECTED_FIELD",
      message: 'The "files" field must carry a file, not text',
    }),
  duplicateEnvironmentId: () =>
    fileUploadError({
      kind: "invalid_input",
      code: "UPLOAD_DUPLICATE_FIELD",
      message: "environmentId given more than once",
    }),
  fileTooLarge: (fileName: string, limit: number) =>
    fileUploadError({
      kind: "too_large",
      code: "FILE_TOO_LARGE",
      message: `File ${quote(fileName)} exceeds the ${formatBytes(limit)} limit`,
      details: { limitBytes: limit },
    }),
  tooMany: (what: "files" | "fields" | "parts", limit: number) =>
    fileUploadError({
      kind: "too_large",
      code: `TOO_MANY_${what.toUpperCase() as Uppercase<typeof what>}`,
      message: `More than ${limit} ${what} in one upload`,
      details: { limit },
    }),
  fieldTooLarge: (name: string, limit: number) =>
    fileUploadError({
      kind: "too_large",
      code: "FIELD_TOO_LARGE",
      message: `Field ${quote(name)} exceeds the ${formatBytes(limit)} limit`,
      details: { limitBytes: limit },
    }),
  fieldNameTooLong: (limit: number) =>
    fileUploadError({
      kind: "too_large",
      code: "FIELD_NAME_TOO_LONG",
      message: `A field name exceeds the ${formatBytes(limit)} limit`,
      details: { limitBytes: limit },
    }),
  tooSlow: (limitMs: number) =>
    fileUploadError({
      kind: "limit_exceeded",
      code: "UPLOAD_TIMEOUT",
      message: `Upload did not complete within ${Math.round(limitMs / 1000)} s`,
    }),
  clientGone: () =>
    fileUploadError({
      kind: "invalid_input",
      code: "UPLOAD_ABORTED",
      message: "The client closed the connection before the upload completed",
    }),
  storage: (cause: unknown) =>
    fileUploadError({
      kind: "unavailable",
      code: "FILE_STORAGE_UNAVAILABLE",
      message: "File storage is unavailable; try again",
      cause,
    }),
  sizeMismatch: (fileName: string) =>
    fileUploadError({
      kind: "integrity",
      code: "FILE_SIZE_MISMATCH",
      message: `Stored size of ${quote(fileName)} differs from the bytes received`,
    }),
} as const;

export const fileErrors = {
  environmentNotFound: () =>
    fileUploadError({ kind: "not_found", code: "ENVIRONMENT_NOT_FOUND", message: "Environment not found" }),
  fileNotFound: (fileId?: string) =>
    fileUploadError({
      kind: "not_found",
      code: "FILE_NOT_FOUND",
      message: fileId === undefined ? "File not found" : `File ${quote(fileId)} not found`,
      ...(fileId === undefined ? {} : { details: { fileId } }),
    }),
  fileExpired: (fileId: string) =>
    fileUploadError({
      kind: "not_found",
      code: "FILE_EXPIRED",
      message: `File ${quote(fileId)} expired and was deleted`,
      details: { fileId },
    }),
  fileOnOtherEnvironment: (fileId: string) =>
    fileUploadError({
      kind: "conflict",
      code: "FILE_ATTACHED_ELSEWHERE",
      message: `File ${quote(fileId)} belongs to another environment`,
      details: { fileId },
    }),
  rangeNotSatisfiable: (size: number) =>
    fileUploadError({
      kind: "invalid_input",
      code: "RANGE_NOT_SATISFIABLE",
      message: "Requested range is outside the file",
      details: { size },
    }),
} as const;

/** Our own errors pass through; a store's or anything else's becomes "storage unavailable" (cause kept, not shown). */
export function asUploadError(error: unknown): WebrunError {
  if (isWebrunError(error) && !error.code.startsWith("BLOB_")) return error;
  return uploadErrors.storage(error);
}

/** Names from the client are quoted (JSON-escaped, capped) so they cannot forge the rest of a message. */
function quote(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}
