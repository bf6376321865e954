import { isWebrunError, WebrunError } from "@webrun/errors";
import { formatBytes } from "./limits.js";

/** The answers an upload or a file operation gives; codes are stable, messages are for people. */
export const uploadErrors = {
  notMultipart: () =>
    new WebrunError({
      kind: "invalid_input",
      code: "UPLOAD_NOT_MULTIPART",
      message: "Expected a multipart/form-data request",
    }),
  malformed: (reason: string, cause?: unknown) =>
    new WebrunError({
      kind: "invalid_input",
      code: "UPLOAD_MALFORMED",
      message: `Malformed multipart body: ${reason}`,
      cause,
    }),
  noFile: () =>
    new WebrunError({ kind: "invalid_input", code: "UPLOAD_NO_FILE", message: "No file provided" }),
  unexpectedFileField: (name: string) =>
    new WebrunError({
      kind: "invalid_input",
      code: "UPLOAD_UNEXPECTED_FIELD",
      message: `Unexpected file field ${quote(name)}: send files in the "files" field`,
    }),
  unexpectedField: (name: string) =>
    new WebrunError({
      kind: "invalid_input",
      code: "UPLOAD_UNEXPECTED_FIELD",
      message: `Unexpected field ${quote(name)}: expected "files" and optionally "environmentId"`,
    }),
  filesFieldNotFile: () =>
    new WebrunError({
      kind: "invalid_input",
      code: "UPLOAD_UNEXPECTED_FIELD",
      message: 'The "files" field must carry a file, not text',
    }),
  duplicateEnvironmentId: () =>
    new WebrunError({
      kind: "invalid_input",
      code: "UPLOAD_DUPLICATE_FIELD",
      message: "environmentId given more than once",
    }),
  fileTooLarge: (fileName: string, limit: number) =>
    new WebrunError({
      kind: "too_large",
      code: "FILE_TOO_LARGE",
      message: `File ${quote(fileName)} exceeds the ${formatBytes(limit)} limit`,
      details: { limitBytes: limit },
    }),
  tooMany: (what: "files" | "fields" | "parts", limit: number) =>
    new WebrunError({
      kind: "too_large",
      code: `TOO_MANY_${what.toUpperCase()}`,
      message: `More than ${limit} ${what} in one upload`,
      details: { limit },
    }),
  fieldTooLarge: (name: string, limit: number) =>
    new WebrunError({
      kind: "too_large",
      code: "FIELD_TOO_LARGE",
      message: `Field ${quote(name)} exceeds the ${formatBytes(limit)} limit`,
      details: { limitBytes: limit },
    }),
  fieldNameTooLong: (limit: number) =>
    new WebrunError({
      kind: "too_large",
      code: "FIELD_NAME_TOO_LONG",
      message: `A field name exceeds the ${formatBytes(limit)} limit`,
      details: { limitBytes: limit },
    }),
  tooSlow: (limitMs: number) =>
    new WebrunError({
      kind: "limit_exceeded",
      code: "UPLOAD_TIMEOUT",
      message: `Upload did not complete within ${Math.round(limitMs / 1000)} s`,
    }),
  clientGone: () =>
    new WebrunError({
      kind: "invalid_input",
      code: "UPLOAD_ABORTED",
      message: "The client closed the connection before the upload completed",
    }),
  storage: (cause: unknown) =>
    new WebrunError({
      kind: "unavailable",
      code: "FILE_STORAGE_UNAVAILABLE",
      message: "File storage is unavailable; try again",
      cause,
    }),
  sizeMismatch: (fileName: string) =>
    new WebrunError({
      kind: "integrity",
      code: "FILE_SIZE_MISMATCH",
      message: `Stored size of ${quote(fileName)} differs from the bytes received`,
    }),
} as const;

export const fileErrors = {
  environmentNotFound: () =>
    new WebrunError({ kind: "not_found", code: "ENVIRONMENT_NOT_FOUND", message: "Environment not found" }),
  fileNotFound: (fileId?: string) =>
    new WebrunError({
      kind: "not_found",
      code: "FILE_NOT_FOUND",
      message: fileId === undefined ? "File not found" : `File ${quote(fileId)} not found`,
      ...(fileId === undefined ? {} : { details: { fileId } }),
    }),
  fileExpired: (fileId: string) =>
    new WebrunError({
      kind: "not_found",
      code: "FILE_EXPIRED",
      message: `File ${quote(fileId)} expired and was deleted`,
      details: { fileId },
    }),
  fileOnOtherEnvironment: (fileId: string) =>
    new WebrunError({
      kind: "conflict",
      code: "FILE_ATTACHED_ELSEWHERE",
      message: `File ${quote(fileId)} belongs to another environment`,
      details: { fileId },
    }),
  rangeNotSatisfiable: (size: number) =>
    new WebrunError({
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
