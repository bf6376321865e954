import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { modulesLoadedBy as loadedBy } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/* What each entry point loads, seen by a fresh Node process importing the built package. */

const packageRoot = join(import.meta.dirname, "..");
let dir = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webrun-entry-points-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** Every module a fresh process loads while importing `entry` and then running `script` (with `entry`'s exports as `m`). */
const modulesLoadedBy = (entry: string, script = "") => loadedBy(entry, { cwd: packageRoot, script });

const isAwsSdk = (url: string) => url.includes("/@aws-sdk/");

describe("entry points load only what they use", () => {
  it("@webrun/blob-store does not load the AWS SDK", async () => {
    const loaded = await modulesLoadedBy("@webrun/blob-store");
    expect(loaded.some((url) => url.includes("/blob-store/dist/index.js"))).toBe(true);
    expect(loaded.filter(isAwsSdk)).toEqual([]);
  });

  it("@webrun/blob-store/s3 does (so the check above can see it)", async () => {
    const loaded = await modulesLoadedBy("@webrun/blob-store/s3");
    expect(loaded.some((url) => url.includes("/@aws-sdk/client-s3/"))).toBe(true);
  });

  it("@webrun/blob-store/config opening an fs store does not load the AWS SDK", async () => {
    const root = join(dir, "fs-store");
    const loaded = await modulesLoadedBy(
      "@webrun/blob-store/config",
      `await m.blobStoreFromConfig({ driver: "fs", root: ${JSON.stringify(root)} });`,
    );
    expect(loaded.some((url) => url.includes("/blob-store/dist/drivers/fs.js"))).toBe(true);
    expect(loaded.filter(isAwsSdk)).toEqual([]);
  });

  it("@webrun/blob-store/config opening an S3 store loads it", async () => {
    // Nothing listens on port 9 of loopback: the store's probe fails, after the driver has been loaded.
    const s3 = { driver: "s3", bucket: "absent", region: "us-east-1", endpoint: "http://127.0.0.1:9" };
    const loaded = await modulesLoadedBy(
      "@webrun/blob-store/config",
      `await m.blobStoreFromConfig(${JSON.stringify(s3)}).catch(() => {});`,
    );
    expect(loaded.some((url) => url.includes("/@aws-sdk/client-s3/"))).toBe(true);
  });
});
