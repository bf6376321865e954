// What the API benches share: storage for a server (a temp DATA_DIR, or a bucket on S3 / a throw-away
// Ceph RGW) and a real server process (apps/api/dist/main.js), optionally CPU-profiled.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const mainScript = fileURLToPath(new URL("../dist/main.js", import.meta.url));

/**
 * The server's storage settings, and where a raw baseline writes the same bytes: `dataDir` on fs,
 * `s3` (endpoint, credentials, bucket) on S3. S3 needs S3_ENDPOINT, S3_REGION, AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY (a bucket is created), or `rgw` to start a throw-away Ceph RGW.
 */
export async function openStorage(storage, { rgw = false, cleanups }) {
  const masterKeys = `bench:${randomBytes(32).toString("base64")}`;
  if (storage === "fs") {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-bench-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    return { env: { DATA_DIR: dataDir, WEBRUN_MASTER_KEYS: masterKeys }, dataDir };
  }
  let s3 = {
    endpoint: process.env.S3_ENDPOINT,
    region: process.env.S3_REGION ?? "us-east-1",
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  };
  const { apiS3Settings, createTestBucket, startRgw } = await import("@webrun/test-fixtures");
  if (rgw) {
    const server = await startRgw();
    cleanups.push(() => server.stop());
    s3 = server;
  }
  const { bucket } = await createTestBucket(s3, "bench");
  return { env: { ...apiS3Settings(s3, bucket), WEBRUN_MASTER_KEYS: masterKeys }, s3: { ...s3, bucket } };
}

/** Starts `node dist/main.js`; `cpuProfDir` writes its CPU profile (node --cpu-prof) there on exit. */
export function startServer(env, { cpuProfDir } = {}) {
  const profile = cpuProfDir ? ["--cpu-prof", `--cpu-prof-dir=${cpuProfDir}`] : [];
  const child = spawn(process.execPath, [...profile, mainScript], {
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Never leave the server behind when the run is interrupted.
  for (const signal of ["SIGINT", "SIGTERM"]) {
    process.once(signal, () => {
      child.kill("SIGTERM");
      process.exit(130);
    });
  }
  return new Promise((resolve, reject) => {
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      const match = /listening at (http:\/\/[^\s"]+)/.exec(output);
      if (match) {
        child.stdout.removeAllListeners("data");
        // Each request's time inside the server (Fastify's, from its arrival to its answer), from the log lines.
        const handled = [];
        createInterface({ input: child.stdout }).on("line", (line) => {
          if (line.includes('"request completed"')) handled.push(JSON.parse(line).ms);
          // The server's own errors (a 500's cause) go to the bench's stderr: a failed request must be explainable.
          else if (/"level":(50|60)/.test(line)) process.stderr.write(`${line}\n`);
        });
        resolve({
          url: match[1],
          pid: child.pid,
          /** Takes the in-server times logged since the last call. */
          takeHandledMs: () => handled.splice(0),
          stop: () =>
            new Promise((done) => {
              child.once("exit", done);
              child.kill("SIGTERM");
            }),
        });
      }
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}: ${output.slice(-2000)}`)));
  });
}
