import { isWebrunError } from "@webrun/errors";
import { blobNotFound, blobPreconditionFailed, blobStoreError, blobStoreUnavailable } from "../../errors.js";

interface S3ErrorShape {
  name?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The HTTP status and S3 error code of an SDK error, when it has them. */
export function s3ErrorOf(error: unknown): { name: string; status: number | undefined } {
  const shape = (typeof error === "object" && error !== null ? error : {}) as S3ErrorShape;
  return { name: shape.name ?? "Error", status: shape.$metadata?.httpStatusCode };
}

export function isPreconditionFailure(error: unknown): boolean {
  const { name, status } = s3ErrorOf(error);
  return (
    status === 412 || name === "PreconditionFailed" || name === "ConditionalRequestConflict" || status === 409
  );
}

/** Whether a write may or may not have happened: a server error, or no answer at all. */
export function isUnclearOutcome(error: unknown): boolean {
  const { status } = s3ErrorOf(error);
  return (status === undefined || status >= 500) && (error as Error)?.name !== "AbortError";
}

export function isNotFound(error: unknown): boolean {
  const { name, status } = s3ErrorOf(error);
  return name === "NoSuchKey" || name === "NotFound" || (status === 404 && name !== "NoSuchBucket");
}

/**
 * Translates an SDK error into our errors. Messages name the operation,
 * bucket and S3 error code only: never credentials or signed URLs.
 */
export function fromS3Error(error: unknown, operation: string, bucket: string, key: string): Error {
  if (isWebrunError(error) || (error as Error)?.name === "AbortError") return error as Error;
  const { name, status } = s3ErrorOf(error);
  if (isNotFound(error)) return blobNotFound(key, error);
  if (isPreconditionFailure(error)) return blobPreconditionFailed(key, error);
  if (name === "NoSuchBucket") return blobStoreUnavailable(`S3 bucket ${bucket} does not exist`, error);
  if (
    status === 403 ||
    name === "InvalidAccessKeyId" ||
    name === "SignatureDoesNotMatch" ||
    name === "AccessDenied"
  ) {
    return blobStoreError({
      kind: "unavailable",
      code: "BLOB_STORE_ACCESS_DENIED",
      message: `S3 refused ${operation} in bucket ${bucket} (${name}); check the access key and its permissions`,
      cause: error,
    });
  }
  return blobStoreUnavailable(
    `S3 ${operation} in bucket ${bucket} failed (${name}${status ? ` ${status}` : ""})`,
    error,
  );
}
