import type { BlobStore } from "../blob-store.js";
import type { S3BlobStoreOptions } from "./s3.js";

/**
 * The S3 driver (see `openS3BlobStore` in `s3.ts`), loaded on first use: the
 * AWS SDK adds ~0.2 s to the start of every process that imports it, which
 * the embedded default and most CLI commands never need.
 */
export async function createS3BlobStore(options: S3BlobStoreOptions): Promise<BlobStore> {
  const { openS3BlobStore } = await import("./s3.js");
  return await openS3BlobStore(options);
}
