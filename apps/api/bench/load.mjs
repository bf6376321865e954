// Load run: a real API server process (apps/api/dist/main.js) under autocannon from this process.
// Each of CONNECTIONS clients is its own user and loops a mixed CRUD sequence:
//   POST /environments → GET /environments/:id → PATCH /environments/:id → GET /environments
//   → GET /environments/:id/files → DELETE /environments/:id
// Errors = socket errors + timeouts + non-2xx answers; they must be 0.
//
//   node apps/api/bench/load.mjs [--storage fs|s3] [--duration 30] [--connections 200] [--warmup 5]
// S3 mode needs S3_ENDPOINT, S3_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (it creates a bucket),
// or --rgw to start a throw-away Ceph RGW (built @webrun/test-fixtures).
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { cpuSeconds, probeS3 } from "./probe.mjs";
import { openStorage, startServer } from "./server.mjs";
import { countStoreCalls } from "./store-calls.mjs";

const { values: args } = parseArgs({
  options: {
    storage: { type: "string", default: "fs" },
    duration: { type: "string", default: "30" },
    connections: { type: "string", default: "200" },
    warmup: { type: "string", default: "5" },
    rgw: { type: "boolean", default: false },
    // Writes the server's CPU profile (node --cpu-prof) into this directory.
    "cpu-prof-dir": { type: "string" },
  },
});
const connections = Number(args.connections);
const duration = Number(args.duration);
const warmup = Number(args.warmup);

const users = Array.from({ length: connections }, (_, i) => ({
  userId: `load-${i}`,
  key: `load-key-${i}-${randomBytes(12).toString("hex")}`,
}));

const cleanups = [];
const storage = await openStorage(args.storage, { rgw: args.rgw, cleanups });
const server = await startServer(
  {
    ...storage.env,
    API_KEYS: users.map((u) => `${u.key}:${u.userId}`).join(","),
    // Production's level: one line per request, which is part of the cost being measured.
    LOG_LEVEL: "info",
  },
  { cpuProfDir: args["cpu-prof-dir"] },
);
console.error(
  `server ${server.url} (pid ${server.pid}), storage ${args.storage}, ${connections} clients, ${duration} s`,
);

let nextClient = 0;
// A warm-up run first (not counted): 200 clients arriving at once on a cold process measure its start-up (JIT, first
// connections to storage), not its steady state. `--warmup 0` measures the cold start too.
if (warmup > 0) await run(warmup);
const probe = storage.s3 ? await probeS3(storage.s3) : undefined;
const cpuBefore = cpuSeconds(server.pid);
server.takeHandledMs();
const result = await run(duration);

function run(seconds) {
  return autocannon({
    url: server.url,
    connections,
    duration: seconds,
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
}

const serverCpuSeconds = cpuSeconds(server.pid) - cpuBefore;
const handledMs = percentiles(server.takeHandledMs());
const s3ServerLatencyMs = await probe?.stop();
await server.stop();
// Counted after the load, on the same storage, by an API in this process sending one request at a time.
const storeCalls = await countStoreCalls(storage.env);
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
  // The same requests timed inside the server: the rest of the client's time is spent before the server reads them.
  inServerLatencyMs: handledMs,
  // CPU the API process spent per request: what throughput would be with a core to itself.
  serverCpuMsPerRequest: Number(((serverCpuSeconds * 1000) / result.requests.total).toFixed(2)),
  ...(s3ServerLatencyMs ? { s3ServerLatencyMs } : {}),
  errors,
  breakdown: {
    socketErrors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    ...statusCounts(result),
  },
  storeCallsPerRequest: storeCalls,
};
console.log(JSON.stringify(figures, null, 2));
process.exit(errors === 0 ? 0 : 1);

function percentiles(values) {
  const sorted = values.sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

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
