import { describe, expect, inject, it } from "vitest";
import type { BlobInfo, BlobStore } from "../src/blob-store.js";
import { readAll } from "../src/body.js";
import { increment, testBlobStore } from "../src/conformance.js";
import { createS3BlobStore } from "../src/drivers/s3.js";
import { createEncryptedBlobStore } from "../src/encryption/encrypted-blob-store.js";
import { randomKeyring } from "./encryption/helpers.js";
import { createTestBucket } from "./test-bucket.js";

/** A store in a fresh bucket on the run's real S3 server (never skipped), removed after the suite. */
function inFreshBucket(name: string, wrap = (store: BlobStore) => store) {
  let removeBucket = async (): Promise<void> => {};
  testBlobStore({
    name,
    open: async () => {
      const s3 = inject("s3");
      const { bucket, remove } = await createTestBucket("conformance");
      removeBucket = remove;
      return wrap(
        await createS3BlobStore({
          bucket,
          region: s3.region,
          endpoint: s3.endpoint,
          credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        }),
      );
    },
    cleanup: () => removeBucket(),
  });
}

inFreshBucket("s3 (Ceph RGW)");
inFreshBucket("encrypted over s3 (Ceph RGW)", (store) => createEncryptedBlobStore(store, randomKeyring()));

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
