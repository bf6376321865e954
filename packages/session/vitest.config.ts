import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real Chromium on two shared cores: a session opens and closes in seconds, not milliseconds.
    testTimeout: 120_000,
    // Each file starts Chromiums; one file at a time keeps two shared cores responsive.
    fileParallelism: false,
    hookTimeout: 60_000,
  },
});
