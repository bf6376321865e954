/**
 * @webrun/blob-store — the one storage interface everything persists
 * through: the BlobStore interface, the memory and local-directory drivers,
 * and encryption at rest as a BlobStore over another one.
 *
 * The S3 driver is `@webrun/blob-store/s3`, opening a store from
 * configuration `@webrun/blob-store/config` (it loads the S3 driver, and the
 * AWS SDK, only for an S3 configuration), and the
 * conformance suite for driver authors `@webrun/blob-store/conformance`.
 */

export type {
  BlobBody,
  BlobInfo,
  BlobListEntry,
  BlobObject,
  BlobStore,
  ByteRange,
  GetOptions,
  PutOptions,
} from "./blob-store.js";
export { bodyToStream, readAll } from "./body.js";
export { createFsBlobStore, type FsBlobStoreOptions } from "./drivers/fs.js";
export { createMemoryBlobStore } from "./drivers/memory.js";
export { createEncryptedBlobStore } from "./encryption/encrypted-blob-store.js";
export { Keyring, type KeyringConfig, keyringFromConfig } from "./encryption/keyring.js";
export {
  type LocalKeyring,
  loadOrCreateLocalKeyring,
  loadOrCreateSecretFile,
  type SecretFileOptions,
} from "./encryption/local-keyring.js";
export {
  type BlobStoreError,
  type BlobStoreErrorCode,
  blobKeyInvalid,
  blobLengthMismatch,
  blobNotFound,
  blobPreconditionFailed,
  blobRangeNotSatisfiable,
  blobStoreUnavailable,
} from "./errors.js";
export { assertValidKey, compareKeys, resolveRange } from "./keys.js";
export { assertValidMetadata } from "./metadata.js";
