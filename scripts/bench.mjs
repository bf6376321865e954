// `pnpm bench [-- --iterations=N --datasets=A,B]`: the repository's benchmarks.
// Today: browser-state seed and capture against Playwright (packages/browser-state/bench).
import { spawnSync } from "node:child_process";

const result = spawnSync(
  "pnpm",
  ["--silent", "--filter", "@webrun/browser-state", "run", "bench", ...process.argv.slice(2)],
  {
    stdio: "inherit",
  },
);
process.exit(result.status ?? 1);
