import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Starts a real S3 server (Ceph RGW) for the run unless WEBRUN_TEST_S3_ENDPOINT names one.
    globalSetup: ["test/s3-global-setup.ts"],
    // Real servers on a shared 2-core machine: a request can take seconds under load.
    testTimeout: 30_000,
  },
});
