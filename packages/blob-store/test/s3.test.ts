import { describe, expect, inject, it } from "vitest";
import type { BlobInfo } from "../../src/blob-store/blob-store.js";
import { readAll } from "../../src/blob-store/body.js";
import { createS3BlobStore } from "../../src/blob-store/drivers/s3-on-demand.js";
import { describeBlobStoreConformance, increment } from "./conformance.js";
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

describe("s3 driver on Ceph: conditional-write races without SDK retries", () => {
  it("reports every loser as BLOB_PRECONDITION_FAILED (Ceph answers some with 500) and loses no increment", async () => {
    const s3 = inject("s3");
    const { bucket, remove } = await createTestBucket("race");
    const store = await createS3BlobStore({
      bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      await store.put("cas", "start");
      for (let round = 0; round < 8; round++) {
        const { etag } = (await store.head("cas")) as BlobInfo;
        const results = await Promise.allSettled(
          Array.from({ length: 16 }, (_, i) =>
            store.put("cas", `round ${round} writer ${i}`, { ifMatch: etag }),
          ),
        );
        const codes = results.map((r) =>
          r.status === "fulfilled" ? "won" : (r.reason as { code?: string }).code,
        );
        expect(
          codes.filter((c) => c === "won"),
          `round ${round}`,
        ).toHaveLength(1);
        expect(codes.filter((c) => c !== "won" && c !== "BLOB_PRECONDITION_FAILED")).toEqual([]);
      }
      // Racing writers often write the same bytes (same ETag): a lost increment would show here.
      await store.put("counter", "0");
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 5; i++) await increment(store, "counter");
        }),
      );
      expect((await readAll((await store.get("counter")).body)).toString()).toBe("40");
    } finally {
      await store.close();
      await remove();
    }
  }, 120_000);
});
