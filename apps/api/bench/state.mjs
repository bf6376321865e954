// PUT / GET /environments/:id/state of an 8.3 MB state document through a real API server process,
// against a raw write / read of the same bytes on the same storage with the same client (curl), in
// the same run. Every timing is one `curl` process, start-up included on both sides:
//   fs:  PUT `curl -T doc file:///DATA_DIR/raw` + `sync FILE` (the store fsyncs what it writes);
//        GET `curl file:///DATA_DIR/raw`
//   S3:  PUT / GET of one object with `curl --aws-sigv4`
// Prints medians of --iterations runs (≥ 5) with the ratio raw / API beside the raw figures, and
// the server process's CPU time per PUT and per GET (from /proc, 10 ms ticks), which other load on
// the machine does not inflate the way it does wall-clock time.
//
//   node apps/api/bench/state.mjs --storage fs|s3 [--rgw] [--iterations 7] [--cpu-prof-dir DIR]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { cpuSeconds } from "./probe.mjs";
import { openStorage, startServer } from "./server.mjs";

const { values: args } = parseArgs({
  options: {
    storage: { type: "string", default: "fs" },
    rgw: { type: "boolean", default: false },
    iterations: { type: "string", default: "7" },
    "cpu-prof-dir": { type: "string" },
  },
});
const iterations = Math.max(5, Number(args.iterations));
const cleanups = [];
const work = await mkdtemp(path.join(tmpdir(), "webrun-state-bench-"));
cleanups.push(() => rm(work, { recursive: true, force: true }));

const document = stateDocument(8.3e6);
const documentFile = path.join(work, "state.json");
writeFileSync(documentFile, document);

const key = `bench-key-${randomBytes(16).toString("hex")}`;
const storage = await openStorage(args.storage, { rgw: args.rgw, cleanups });
const server = await startServer(
  { ...storage.env, API_KEYS: `${key}:bench`, LOG_LEVEL: "info" },
  { cpuProfDir: args["cpu-prof-dir"] },
);
const auth = ["-H", `authorization: Bearer ${key}`];
/** A fresh environment: every timed save writes the whole document (nothing to dedup against), as a new user's does. */
async function newStateUrl(i) {
  const created = await fetch(`${server.url}/environments`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: `state bench ${i}` }),
  });
  return `${server.url}/environments/${(await created.json()).environment._id}/state`;
}

const raw = rawClient();
const timings = { apiPut: [], apiGet: [], rawPut: [], rawGet: [] };
const serverCpu = { put: [], get: [] };
/** Runs `run`, adding the server's CPU seconds during it to `samples`; returns what `run` returns. */
function withServerCpu(samples, run) {
  const before = cpuSeconds(server.pid);
  const result = run();
  samples.push(cpuSeconds(server.pid) - before);
  return result;
}
let stateUrl = "";
try {
  for (let i = 0; i < iterations; i += 1) {
    stateUrl = await newStateUrl(i);
    timings.apiPut.push(
      withServerCpu(serverCpu.put, () =>
        time(() =>
          curl([
            ...auth,
            "-X",
            "PUT",
            "-H",
            "content-type: application/json",
            "--data-binary",
            `@${documentFile}`,
            stateUrl,
          ]),
        ),
      ),
    );
    timings.rawPut.push(time(() => raw.put(i)));
    timings.apiGet.push(withServerCpu(serverCpu.get, () => time(() => curl([...auth, stateUrl]))));
    timings.rawGet.push(time(() => raw.get(i)));
  }
  // The API's answer must be the document that was saved (same JSON, whatever its key and origin order).
  const answered = JSON.parse(execFileSync("curl", ["-sSf", ...auth, stateUrl], { maxBuffer: 64e6 }));
  if (canonical(answered) !== canonical(JSON.parse(document)))
    throw new Error("GET answered another document than the one saved");
} finally {
  await server.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
}

const mb = document.length / 1e6;
const figure = (api, baseline) => {
  const apiSeconds = median(api);
  const rawSeconds = median(baseline);
  return {
    apiMs: Math.round(apiSeconds * 1000),
    apiMBps: Math.round(mb / apiSeconds),
    rawMs: Math.round(rawSeconds * 1000),
    rawMBps: Math.round(mb / rawSeconds),
    ratio: Number((rawSeconds / apiSeconds).toFixed(2)),
  };
};
console.log(
  JSON.stringify(
    {
      storage: args.storage,
      documentMB: Number(mb.toFixed(1)),
      iterations,
      put: figure(timings.apiPut, timings.rawPut),
      get: figure(timings.apiGet, timings.rawGet),
      serverCpuMs: {
        put: Math.round(median(serverCpu.put) * 1000),
        get: Math.round(median(serverCpu.get) * 1000),
      },
    },
    null,
    2,
  ),
);

/** The raw baseline: the same bytes, the same client, straight onto the storage. */
function rawClient() {
  if (args.storage === "fs") {
    const file = (i) => path.join(storage.dataDir, `raw-${i}.json`);
    return {
      put: (i) => {
        curl(["-T", documentFile, `file://${file(i)}`]);
        execFileSync("sync", [file(i)]);
      },
      get: (i) => curl([`file://${file(i)}`]),
    };
  }
  const { endpoint, region, accessKeyId, secretAccessKey, bucket } = storage.s3;
  const sign = [
    "--aws-sigv4",
    `aws:amz:${region}:s3`,
    "--user",
    `${accessKeyId}:${secretAccessKey}`,
    // S3 wants the payload's hash header; curl does not send one by itself.
    "-H",
    "x-amz-content-sha256: UNSIGNED-PAYLOAD",
  ];
  const url = (i) => `${endpoint}/${bucket}/raw-${i}.json`;
  return {
    put: (i) => curl([...sign, "-T", documentFile, url(i)]),
    get: (i) => curl([...sign, url(i)]),
  };
}

function curl(curlArgs) {
  execFileSync("curl", ["-sSf", "-o", "/dev/null", ...curlArgs]);
}

function time(run) {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

function canonical(state) {
  const origins = [...state.origins].sort((a, b) => a.origin.localeCompare(b.origin));
  return JSON.stringify(sortKeys({ ...state, origins }));
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [name, sortKeys(value[name])]),
  );
}

/** A state as a browser leaves it: a few cookies, and origins with localStorage and IndexedDB. */
function stateDocument(bytes) {
  const text = (length) =>
    randomBytes(Math.ceil((length * 3) / 4))
      .toString("base64url")
      .slice(0, length);
  const cookies = Array.from({ length: 50 }, (_, i) => ({
    name: `c${i}`,
    value: text(40),
    domain: `.site${i % 10}.example`,
    path: "/",
    expires: -1,
    httpOnly: false,
    secure: true,
    sameSite: "Lax",
    session: true,
  }));
  const origins = [];
  let size = 0;
  for (let i = 0; size < bytes; i += 1) {
    const origin = {
      origin: `https://app${i}.example`,
      localStorage: Array.from({ length: 20 }, (_, j) => ({ name: `key${j}`, value: text(1000) })),
      sessionStorage: [],
      indexedDB: [],
    };
    size += JSON.stringify(origin).length;
    origins.push(origin);
  }
  return JSON.stringify({ version: 1, cookies, origins, extensions: [] });
}
