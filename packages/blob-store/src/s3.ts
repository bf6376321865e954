/**
 * @webrun/blob-store/s3 — the S3 driver. Its own entry point, so only the
 * processes that open an S3 store load the AWS SDK.
 */

export { type IfMatchForm, probeConditionalWrites } from "./drivers/s3/probe.js";
export { createS3BlobStore, type S3BlobStoreOptions } from "./drivers/s3.js";
