// Load run: a real API server process (apps/api/dist/main.js) under autocannon from this process.
// Each of CONNECTIONS clients is its own user and loops a mixed CRUD sequence:
//   POST /environments → GET /environments/:id → PATCH /environments/:id → GET /environments
//   → GET /environments/:id/files → DELETE /environments/:id
// Errors = socket errors + timeouts + non-2xx answers; they must be 0.
//
//   node apps/api/bench/load.mjs [--storage fs|s3] [--duration 30] [--connections 200]
// S3 mode needs S3_ENDPOINT, S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (it creates a bucket),
// or --rgw to start a throw-away Ceph RGW (built @webrun/test-fixtures).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

const { values: args } = parseArgs({
  options: {
    storage: { type: "string", default: "fs" },
    duration: { type: "string", default: "30" },
    connections: { type: "string", default: "200" },
    rgw: { type: "boolean", default: false },
  },
});
const connections = Number(args.connections);
const duration = Number(args.duration);
const mainScript = fileURLToPath(new URL("../dist/main.js", import.meta.url));

const users = Array.from({ length: connections }, (_, i) => ({
  userId: `load-${i}`,
  key: `load-key-${i}-${randomBytes(12).toString("hex")}`,
}));

const cleanups = [];
const storageEnv = await openStorage(args.storage);
const server = await startServer({
  ...storageEnv,
  API_KEYS: users.map((u) => `${u.key}:${u.userId}`).join(","),
  // Production's level: one line per request, which is part of the cost being measured.
  LOG_LEVEL: "info",
});
console.error(
  `server ${server.url} (pid ${server.pid}), storage ${args.storage}, ${connections} clients, ${duration} s`,
);

let nextClient = 0;
const result = await autocannon({
  url: server.url,
  connections,
  duration,
  timeout: 30,
  requests: [
    {
      method: "POST",
      path: "/environments",
      setupRequest: (request, context) => {
        context.user ??= users[nextClient++ % users.length];
        context.n = (context.n ?? 0) + 1;
        return {
          ...request,
          headers: { authorization: `Bearer ${context.user.key}`, "content-type": "application/json" },
          body: JSON.stringify({ name: `load ${context.n}`, description: "load run" }),
        };
      },
      onResponse: (status, body, context) => {
        context.id = status === 201 ? JSON.parse(body).environment._id : "000000000000000000000000";
      },
    },
    authed((context) => ({ method: "GET", path: `/environments/${context.id}` })),
    authed((context) => ({
      method: "PATCH",
      path: `/environments/${context.id}`,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ description: `patched ${context.n}` }),
    })),
    authed(() => ({ method: "GET", path: "/environments" })),
    authed((context) => ({ method: "GET", path: `/environments/${context.id}/files` })),
    authed((context) => ({ method: "DELETE", path: `/environments/${context.id}` })),
  ],
});

await server.stop();
for (const cleanup of cleanups) await cleanup();

const errors = result.errors + result.timeouts + result.non2xx;
const figures = {
  storage: args.storage,
  connections,
  durationSeconds: duration,
  requests: result.requests.total,
  throughputRps: Math.round(result.requests.average),
  latencyMs: {
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
  },
  errors,
  breakdown: {
    socketErrors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    ...statusCounts(result),
  },
};
console.log(JSON.stringify(figures, null, 2));
process.exit(errors === 0 ? 0 : 1);

/** A request of the sequence, with the client's own API key. */
function authed(build) {
  return {
    setupRequest: (request, context) => {
      const extra = build(context);
      return {
        ...request,
        ...extra,
        headers: { authorization: `Bearer ${context.user.key}`, ...extra.headers },
      };
    },
  };
}

function statusCounts(result) {
  const counts = {};
  for (const [code, count] of Object.entries(result.statusCodeStats ?? {}))
    counts[`status${code}`] = count.count;
  return counts;
}

async function openStorage(storage) {
  const masterKeys = `load:${randomBytes(32).toString("base64")}`;
  if (storage === "fs") {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-load-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    return { DATA_DIR: dataDir, WEBRUN_MASTER_KEYS: masterKeys };
  }
  let s3 = {
    endpoint: process.env.S3_ENDPOINT,
    region: process.env.S3_REGION ?? "us-east-1",
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  };
  const { apiS3Settings, createTestBucket, startRgw } = await import("@webrun/test-fixtures");
  if (args.rgw) {
    const rgw = await startRgw();
    cleanups.push(() => rgw.stop());
    s3 = rgw;
  }
  const { bucket } = await createTestBucket(s3, "load");
  return {
    ...apiS3Settings(s3, bucket),
    WEBRUN_MASTER_KEYS: masterKeys,
  };
}

function startServer(env) {
  const child = spawn(process.execPath, [mainScript], {
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
        child.stdout.resume();
        resolve({
          url: match[1],
          pid: child.pid,
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
