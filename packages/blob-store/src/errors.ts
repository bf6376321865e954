import { WebrunError } from "@webrun/errors";

export function blobNotFound(key: string, cause?: unknown): WebrunError {
  return new WebrunError({
    kind: "not_found",
    code: "BLOB_NOT_FOUND",
    message: `no object at ${key}`,
    cause,
  });
}

export function blobPreconditionFailed(key: string, cause?: unknown): WebrunError {
  return new WebrunError({
    kind: "precondition_failed",
    code: "BLOB_PRECONDITION_FAILED",
    message: `object ${key} changed since it was read`,
    cause,
  });
}

export function blobRangeNotSatisfiable(key: string, size: number): WebrunError {
  return new WebrunError({
    kind: "invalid_input",
    code: "BLOB_RANGE_NOT_SATISFIABLE",
    message: `range outside object ${key}`,
    details: { size },
  });
}

export function blobKeyInvalid(key: string, why: string): WebrunError {
  return new WebrunError({
    kind: "invalid_input",
    code: "BLOB_KEY_INVALID",
    message: `invalid object key ${JSON.stringify(key.slice(0, 80))}: ${why}`,
  });
}

export function blobLengthMismatch(key: string, declared: number, actual: number): WebrunError {
  return new WebrunError({
    kind: "invalid_input",
    code: "BLOB_LENGTH_MISMATCH",
    message: `body of ${key} had ${actual} bytes, not the declared ${declared}`,
  });
}

export function blobStoreUnavailable(message: string, cause?: unknown): WebrunError {
  return new WebrunError({ kind: "unavailable", code: "BLOB_STORE_UNAVAILABLE", message, cause });
}
