import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // In-process: the app is built by buildApp on a temporary data folder; tests that run the built server live in e2e/.
    testTimeout: 60_000,
  },
});
