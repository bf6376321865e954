import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The same global setup as @webrun/env-store: a real S3 server (Ceph RGW started for the run,
    // or the one WEBRUN_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY name). Never skipped.
    globalSetup: ["../../packages/env-store/test/blob-store/s3-global-setup.ts"],
    // Each suite starts real server processes; on 2 shared cores they run one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
