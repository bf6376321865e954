import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { describe, expect, inject, it } from "vitest";
import type { BlobStore, PutOptions } from "../src/blob-store.js";
import { expectCode } from "../src/conformance.js";
import { createMemoryBlobStore } from "../src/drivers/memory.js";
import { type IfMatchForm, probeConditionalWrites } from "../src/drivers/s3/probe.js";
import { createS3BlobStore } from "../src/drivers/s3.js";
import { createTestBucket, testS3Client } from "./test-bucket.js";

/** A store whose puts pass through `adjust` first, to imitate servers that get conditions wrong. */
function withPutOptions(store: BlobStore, adjust: (options: PutOptions) => PutOptions): BlobStore {
  return { ...store, put: (key, body, options) => store.put(key, body, adjust(options ?? {})) };
}

describe("probeConditionalWrites", () => {
  it("refuses a store that ignores If-None-Match", async () => {
    const ignoring = withPutOptions(createMemoryBlobStore(), ({ ifNoneMatch: _ignored, ...rest }) => rest);
    await expectCode(probeConditionalWrites(ignoring), "BLOB_STORE_NO_CONDITIONAL_WRITES");
  });

  it("refuses a store that ignores If-Match", async () => {
    const ignoring = withPutOptions(createMemoryBlobStore(), ({ ifMatch: _ignored, ...rest }) => rest);
    await expectCode(probeConditionalWrites(ignoring), "BLOB_STORE_NO_CONDITIONAL_WRITES");
  });

  it("falls back to unquoted If-Match when the quoted form is refused (Ceph 16), and cleans up", async () => {
    const memory = createMemoryBlobStore();
    let form: IfMatchForm = "quoted";
    const quirky = withPutOptions(memory, (options) =>
      options.ifMatch !== undefined && form === "quoted"
        ? { ...options, ifMatch: `"${options.ifMatch}"` }
        : options,
    );
    expect(await probeConditionalWrites(quirky, (f) => (form = f))).toBe("unquoted");
    const left = [];
    for await (const info of memory.list("")) left.push(info.key);
    expect(left).toEqual([]);
  });

  it("accepts the real S3 server and leaves no probe object in the bucket", async () => {
    const s3 = inject("s3");
    const { bucket, remove } = await createTestBucket("probe");
    try {
      const store = await createS3BlobStore({
        bucket,
        region: s3.region,
        endpoint: s3.endpoint,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        prefix: "p",
      });
      const first = await store.put("cas", "1");
      await store.put("cas", "2", { ifMatch: first.etag });
      const listing = await testS3Client().send(new ListObjectsV2Command({ Bucket: bucket }));
      expect((listing.Contents ?? []).map((o) => o.Key)).toEqual(["p/cas"]);
      await store.close();
    } finally {
      await remove();
    }
  });
});
