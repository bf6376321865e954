import { inject } from "vitest";
import { createS3BlobStore } from "../../src/blob-store/drivers/s3.js";
import { describeBlobStoreConformance } from "./conformance.js";
import { createTestBucket } from "./test-bucket.js";

let removeBucket = async (): Promise<void> => {};
describeBlobStoreConformance(
  "s3 (real S3 server)",
  async () => {
    const s3 = inject("s3");
    const { bucket, remove } = await createTestBucket("conformance");
    removeBucket = remove;
    return createS3BlobStore({
      bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
  },
  () => removeBucket(),
);
