// Runs every workspace's test suite (the packages', the apps', e2e's) against
// ONE real S3 server (a throw-away Ceph RGW on loopback) instead of one per
// package. A failing suite does not stop the others (turbo --continue); at the
// end one "N passed, N failed" line sums every vitest report, and each
// workspace whose suite failed or left no report is named. Exit 1 if any did.
// Arguments are passed on to turbo, e.g. `--filter=@webrun/errors`.
// Workspaces still start their own RGW when run alone (`pnpm --filter … test`).
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";

const reportFile = ".vitest-report.json";
const turboArgs = process.argv.slice(2);
const suites = testSuites(turboArgs);
for (const suite of suites) rmSync(suite.report, { force: true });

const rgw = await startSharedRgw();
const code = await run(
  "pnpm",
  [
    "exec",
    "turbo",
    "run",
    "test",
    ...turboArgs,
    "--continue",
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
const problems = [];
for (const suite of suites) {
  if (!existsSync(suite.report)) {
    problems.push(`${suite.name}: no report (the suite did not run, or crashed)`);
    continue;
  }
  const report = JSON.parse(readFileSync(suite.report, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  if (!report.success) {
    problems.push(
      `${suite.name}: ${report.numFailedTests} test(s) failed; ${report.numFailedTestSuites} of ${report.numTotalTestSuites} file(s) failed`,
    );
  }
}
// The failures first: the closing line stays the last one printed.
if (problems.length > 0 || code !== 0) console.log("\nFailed:");
for (const problem of problems) console.log(`  ✗ ${problem}`);
if (code !== 0 && problems.length === 0)
  console.log(`  ✗ turbo exited with ${code} (a build or task failed)`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(code !== 0 || problems.length > 0 ? 1 : 0);

/** The workspaces turbo would run `test` in (those that have a test script), and where each writes its report. */
function testSuites(args) {
  const dry = JSON.parse(
    execFileSync("pnpm", ["exec", "turbo", "run", "test", ...args, "--dry=json"], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    }),
  );
  return dry.tasks
    .filter((task) => task.task === "test" && task.command !== "<NONEXISTENT>")
    .map((task) => ({ name: task.package, report: path.join(task.directory, reportFile) }));
}

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
