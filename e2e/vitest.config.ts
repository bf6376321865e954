import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: [
      "test/support/built-apps.ts",
      // A real S3 server: the one WEBRUN_TEST_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY name, or a Ceph RGW started for the run.
      "test/support/s3-global-setup.ts",
    ],
    // Each suite starts real processes (API servers, CLIs, Chromium); on 2 shared cores they run one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
