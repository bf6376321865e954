import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { blobStoreFromConfig, parseBlobStoreConfig } from "../src/config.js";
import { createTestBucket } from "./test-bucket.js";

const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

async function errorOf(work: () => unknown): Promise<Error & { code?: string }> {
  try {
    await work();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error("expected a failure");
}

describe("storage configuration", () => {
  it("names what is wrong without ever echoing the secret", async () => {
    const missingBucket = await errorOf(() =>
      parseBlobStoreConfig({ driver: "s3", region: "r", secretAccessKey: secret, accessKeyId: "AKID" }),
    );
    expect(missingBucket.code).toBe("BLOB_STORE_CONFIG_INVALID");
    expect(missingBucket.message).toContain("bucket");
    const halfCredentials = await errorOf(() =>
      parseBlobStoreConfig({ driver: "s3", bucket: "b", region: "r", secretAccessKey: secret }),
    );
    expect(halfCredentials.message).toContain("secretAccessKey: set both");
    expect(JSON.stringify(halfCredentials)).not.toContain(secret);
    expect(JSON.stringify(missingBucket)).not.toContain(secret);
    expect(missingBucket.message).not.toContain(secret);
    const badDriver = await errorOf(() => parseBlobStoreConfig({ driver: "gcs" }));
    expect(badDriver.code).toBe("BLOB_STORE_CONFIG_INVALID");
    const badEndpoint = await errorOf(() =>
      parseBlobStoreConfig({
        driver: "s3",
        bucket: "b",
        region: "r",
        endpoint: secret,
        secretAccessKey: secret,
      }),
    );
    expect(badEndpoint.message).not.toContain(secret);
  });

  it("opens an fs store from configuration", async () => {
    const root = await mkdtemp(join(tmpdir(), "webrun-config-"));
    try {
      const store = await blobStoreFromConfig({ driver: "fs", root });
      await store.put("a/b", "x");
      expect(store.driver).toBe("fs");
      expect((await store.head("a/b"))?.size).toBe(1);
      await store.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("opens an s3 store from configuration, and fails clearly on wrong credentials or a missing bucket", async () => {
    const s3 = inject("s3");
    const { bucket, remove } = await createTestBucket("config");
    try {
      const base = {
        driver: "s3" as const,
        region: s3.region,
        endpoint: s3.endpoint,
        accessKeyId: s3.accessKeyId,
      };
      const store = await blobStoreFromConfig({
        ...base,
        bucket,
        secretAccessKey: s3.secretAccessKey,
        prefix: "tenant-1",
      });
      expect(store.driver).toBe("s3");
      await store.put("k", "v");
      expect((await store.head("k"))?.size).toBe(1);
      await store.delete("k");
      await store.close();

      const wrongSecret = `${s3.secretAccessKey}WRONG`;
      const denied = await errorOf(() =>
        blobStoreFromConfig({ ...base, bucket, secretAccessKey: wrongSecret }),
      );
      expect(denied.code).toBe("BLOB_STORE_ACCESS_DENIED");
      expect(denied.message).not.toContain(wrongSecret);
      const noBucket = await errorOf(() =>
        blobStoreFromConfig({ ...base, bucket: `${bucket}-absent`, secretAccessKey: s3.secretAccessKey }),
      );
      expect(noBucket.code).toBe("BLOB_STORE_UNAVAILABLE");
      expect(noBucket.message).toContain("does not exist");
    } finally {
      await remove();
    }
  });
});
