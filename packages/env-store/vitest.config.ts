import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Starts a real S3 server (Ceph RGW) for the run unless WEBRUN_TEST_S3_ENDPOINT names one.
    globalSetup: ["test/blob-store/s3-global-setup.ts"],
  },
});
