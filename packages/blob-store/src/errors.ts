import { errorFactory, type WebrunError } from "@webrun/errors";

/** Every code @webrun/blob-store throws. Clients and tests rely on them: add codes, never rename one. */
export type BlobStoreErrorCode =
  | "BLOB_CONDITIONAL_PUT_TOO_LARGE"
  | "BLOB_KEY_INVALID"
  | "BLOB_LENGTH_MISMATCH"
  | "BLOB_METADATA_INVALID"
  | "BLOB_NOT_FOUND"
  | "BLOB_PRECONDITION_FAILED"
  | "BLOB_RANGE_NOT_SATISFIABLE"
  | "BLOB_STORE_ACCESS_DENIED"
  | "BLOB_STORE_CONFIG_INVALID"
  | "BLOB_STORE_NO_CONDITIONAL_WRITES"
  | "BLOB_STORE_UNAVAILABLE"
  | "BLOB_TAMPERED"
  | "MASTER_KEY_INVALID";

export type BlobStoreError = WebrunError<BlobStoreErrorCode>;

/** Makes every error of @webrun/blob-store; a code outside {@link BlobStoreErrorCode} does not compile. */
export const blobStoreError = errorFactory<BlobStoreErrorCode>();

export function blobNotFound(key: string, cause?: unknown): BlobStoreError {
  return blobStoreError({
    kind: "not_found",
    code: "BLOB_NOT_FOUND",
    message: `no object at ${key}`,
    cause,
  });
}

export function blobPreconditionFailed(key: string, cause?: unknown): BlobStoreError {
  return blobStoreError({
    kind: "precondition_failed",
    code: "BLOB_PRECONDITION_FAILED",
    message: `object ${key} changed since it was read`,
    cause,
  });
}

export function blobRangeNotSatisfiable(key: string, size: number): BlobStoreError {
  return blobStoreError({
    kind: "invalid_input",
    code: "BLOB_RANGE_NOT_SATISFIABLE",
    message: `range outside object ${key}`,
    details: { size },
  });
}

export function blobKeyInvalid(key: string, why: string): BlobStoreError {
  return blobStoreError({
    kind: "invalid_input",
    code: "BLOB_KEY_INVALID",
    message: `invalid object key ${JSON.stringify(key.slice(0, 80))}: ${why}`,
  });
}

export function blobLengthMismatch(key: string, declared: number, actual: number): BlobStoreError {
  return blobStoreError({
    kind: "invalid_input",
    code: "BLOB_LENGTH_MISMATCH",
    message: `body of ${key} had ${actual} bytes, not the declared ${declared}`,
  });
}

export function blobStoreUnavailable(message: string, cause?: unknown): BlobStoreError {
  return blobStoreError({ kind: "unavailable", code: "BLOB_STORE_UNAVAILABLE", message, cause });
}

/**
 * The one error for an encrypted object that does not authenticate: flipped
 * bits, truncation, reordered or swapped chunks, an object moved to another
 * key, a wrong or unknown master key. Callers cannot tell these apart on
 * purpose; none of them may ever yield plaintext.
 */
export function blobTampered(key: string, why: string, cause?: unknown): BlobStoreError {
  return blobStoreError({
    kind: "integrity",
    code: "BLOB_TAMPERED",
    message: `stored object ${key} failed authentication: ${why}`,
    cause,
  });
}

export function masterKeyInvalid(message: string): BlobStoreError {
  return blobStoreError({ kind: "invalid_input", code: "MASTER_KEY_INVALID", message });
}
