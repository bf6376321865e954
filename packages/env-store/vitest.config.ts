import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Real servers on a shared 2-core machine: a request can take seconds under load.
    testTimeout: 30_000,
  },
});
