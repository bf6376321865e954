// `pnpm bench [-- --iterations=N --datasets=A,B]`: the repository's benchmarks, in order.
// The three-way merge of two concurrent saves (packages/state/bench), then
// browser-state seed and capture against Playwright (packages/browser-state/bench), a session
// opened through the API against `launch --state` from a file (packages/session/bench), then
// environment save/load on fs and Ceph RGW (packages/env-store/bench/environment-throughput.mjs).
import { spawnSync } from "node:child_process";

const benchmarks = [
  ["@webrun/state", "bench"],
  ["@webrun/browser-state", "bench"],
  ["@webrun/session", "bench"],
  ["@webrun/env-store", "bench:environments"],
];

for (const [workspace, script] of benchmarks) {
  const result = spawnSync(
    "pnpm",
    ["--silent", "--filter", workspace, "run", script, ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}
