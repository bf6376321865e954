// Runs every package's test suite against ONE real S3 server (a throw-away
// Ceph RGW on loopback) instead of one per package, then prints a closing
// "N passed, N failed" line summed over every package's vitest report.
// Packages still start their own RGW when run alone (`pnpm --filter … test`).
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createInterface } from "node:readline";

const reportFile = ".vitest-report.json";
const workspaces = ["packages", "apps"].flatMap((dir) => readdirSync(dir).map((name) => `${dir}/${name}`));
const reportPaths = [...workspaces, "test-fixtures", "e2e"].map((dir) => `${dir}/${reportFile}`);
for (const file of reportPaths) rmSync(file, { force: true });

const rgw = await startSharedRgw();
const code = await run(
  "pnpm",
  [
    "exec",
    "turbo",
    "run",
    "test",
    "--concurrency=1",
    "--output-logs=full",
    "--log-order=grouped",
    "--",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${reportFile}`,
  ],
  { ...process.env, ...rgw.env },
);
await rgw.stop();

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reportPaths.filter(existsSync)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
}
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code !== 0 || failed > 0 ? 1 : 0);

async function startSharedRgw() {
  const child = spawn("node", ["test-fixtures/dist/rgw/main.js"], {
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RGW_MEMSTORE_BYTES: String(8 * 1024 ** 3) },
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once("line", resolve);
    child.once("exit", (c) => reject(new Error(`Ceph RGW did not start (exit ${c})`)));
  });
  const server = JSON.parse(line);
  console.log(`shared Ceph RGW at ${server.endpoint} (started in ${server.startupMs} ms)`);
  return {
    env: {
      WEBRUN_TEST_S3_ENDPOINT: server.endpoint,
      WEBRUN_TEST_S3_REGION: server.region,
      WEBRUN_TEST_S3_ACCESS_KEY: server.accessKeyId,
      WEBRUN_TEST_S3_SECRET_KEY: server.secretAccessKey,
    },
    async stop() {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

function run(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    child.once("exit", (c) => resolve(c ?? 1));
  });
}
