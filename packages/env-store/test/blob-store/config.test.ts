import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import {
  blobStoreConfigFromEnv,
  blobStoreFromConfig,
  describeBlobStoreConfig,
  parseBlobStoreConfig,
} from "../../src/blob-store/config.js";
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
  it("defaults to the fs driver under ./.data, or DATA_DIR", () => {
    expect(blobStoreConfigFromEnv({})).toEqual({ driver: "fs", root: "./.data" });
    expect(blobStoreConfigFromEnv({ DATA_DIR: "/srv/webrun" })).toEqual({
      driver: "fs",
      root: "/srv/webrun",
    });
  });

  it("reads STORAGE=s3 with its variables", () => {
    expect(
      blobStoreConfigFromEnv({
        STORAGE: "s3",
        S3_BUCKET: "envs",
        S3_ENDPOINT: "http://127.0.0.1:7480",
        S3_REGION: "eu-west-1",
        AWS_ACCESS_KEY_ID: "AKID",
        AWS_SECRET_ACCESS_KEY: secret,
      }),
    ).toEqual({
      driver: "s3",
      bucket: "envs",
      endpoint: "http://127.0.0.1:7480",
      region: "eu-west-1",
      accessKeyId: "AKID",
      secretAccessKey: secret,
    });
  });

  it("names what is wrong without ever echoing the secret", async () => {
    const missingBucket = await errorOf(() =>
      blobStoreConfigFromEnv({ STORAGE: "s3", AWS_SECRET_ACCESS_KEY: secret }),
    );
    expect(missingBucket.code).toBe("BLOB_STORE_CONFIG_INVALID");
    expect(missingBucket.message).toContain("S3_BUCKET");
    const halfCredentials = await errorOf(() =>
      blobStoreConfigFromEnv({ STORAGE: "s3", S3_BUCKET: "b", AWS_SECRET_ACCESS_KEY: secret }),
    );
    expect(halfCredentials.message).toContain("AWS_SECRET_ACCESS_KEY: set both");
    expect(JSON.stringify(halfCredentials)).not.toContain(secret);
    expect(JSON.stringify(missingBucket)).not.toContain(secret);
    expect(missingBucket.message).not.toContain(secret);
    const badDriver = await errorOf(() => blobStoreConfigFromEnv({ STORAGE: "gcs" }));
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

  it("redacts the secret when describing a configuration", () => {
    const description = describeBlobStoreConfig({
      driver: "s3",
      bucket: "envs",
      region: "us-east-1",
      accessKeyId: "AKID",
      secretAccessKey: secret,
    });
    expect(JSON.stringify(description)).not.toContain(secret);
    expect(description).toMatchObject({ bucket: "envs", accessKeyId: "AKID", secretAccessKey: "[redacted]" });
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
