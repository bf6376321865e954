import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real Chromium on two shared cores: a session opens and closes in seconds, not milliseconds.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
