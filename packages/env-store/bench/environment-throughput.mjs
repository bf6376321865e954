// Save and load of a whole environment (1 MB of cookies + localStorage, 10 MB of extension files)
// through the full stack (encrypted store → environment store) on the fs driver and on Ceph RGW,
// next to the raw baselines for the same bytes in the same run, timed the same way as our code
// (in this process, no process start-up on either side): for fs the in-process equivalents of
// `cp` + `sync FILE` (a read stream into a new file, then fsync: the fs driver fsyncs every object
// before it counts as written) and of `cat` (a read stream into a sink); for RGW plain SDK
// PutObject/GetObject. Spawned `cp`+`sync` and `cat` are printed for reference only (their process
// start-up is in the figure, so no ratio is taken against them). Also: each driver's own
// unencrypted put/get, bytes uploaded by a cookie-only change, and peak RSS (VmHWM) of a child
// process per archive size. Every ratio is printed next to both raw figures. Then, on fs in this
// process: storage-driver calls (below encryption) and CPU time per save and per load, which other
// load on the machine does not distort. `--calls` runs that part alone.
// Run after building: `pnpm turbo run build --filter=@webrun/env-store...` then
// `node packages/env-store/bench/environment-throughput.mjs [--iterations=5] [--calls]` (or `pnpm bench`).
// Starts a Ceph RGW unless WEBRUN_TEST_S3_ENDPOINT is set.
import { execFileSync, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { createEncryptedBlobStore, createFsBlobStore, Keyring } from "@webrun/blob-store";
import { createS3BlobStore } from "@webrun/blob-store/s3";
import { createEnvironmentStore } from "@webrun/env-store";
import { startRgw } from "@webrun/test-fixtures";

const MB = 1e6;
const STATE_BYTES = 1 * MB;
const EXTENSION_BYTES = 10 * MB;
const RSS_EXTENSION_SIZES_MB = [10, 50, 200];
const SAVE_TARGET = 0.8;
const EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop";
const user = `bench-${randomBytes(4).toString("hex")}`;

const sink = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function seconds(work) {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Random (incompressible) bytes streamed to `path`; returns their SHA-256. */
async function writeRandomFile(path, size) {
  const hash = createHash("sha256");
  await pipeline(
    (async function* () {
      for (let written = 0; written < size; written += 1 << 20) {
        const chunk = randomBytes(Math.min(1 << 20, size - written));
        hash.update(chunk);
        yield chunk;
      }
    })(),
    createWriteStream(path),
  );
  return hash.digest("hex");
}

/** An extension of a few random files on disk, listed with size and SHA-256, served from disk. */
async function makeExtension(dir, totalBytes, count = 4) {
  const files = [];
  for (let i = 0; i < count; i += 1) {
    const path = `lib/part-${i}.bin`;
    const file = join(dir, `extension-part-${i}.bin`);
    const size = Math.floor(totalBytes / count);
    files.push({ path, file, size, sha256: await writeRandomFile(file, size) });
  }
  return {
    files,
    open: (_extensionId, path) => createReadStream(files.find((file) => file.path === path).file),
  };
}

const randomText = (bytes) => randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64url");

/** About STATE_BYTES of browser state: half 2 kB cookies, half 1 kB localStorage values over 5 origins. */
function makeCookiesAndStorage() {
  const cookies = Array.from({ length: STATE_BYTES / 2 / 2_000 }, (_, i) => ({
    name: `c${i}`,
    value: randomText(2_000),
    domain: `.site-${i % 10}.example`,
    path: "/",
    expires: 2_000_000_000,
    httpOnly: true,
    secure: true,
    session: false,
    sameSite: "Lax",
  }));
  const origins = Array.from({ length: 5 }, (_, o) => ({
    origin: `https://app-${o}.example`,
    localStorage: Array.from({ length: STATE_BYTES / 2 / 5 / 1_000 }, (_, i) => ({
      name: `k${i}`,
      value: randomText(1_000),
    })),
    sessionStorage: [],
    indexedDB: [],
  }));
  return { cookies, origins };
}

function stateWith({ cookies, origins }, extension) {
  return {
    version: 1,
    cookies,
    origins,
    extensions: [
      {
        id: EXTENSION_ID,
        name: "Bench",
        version: "1.0.0",
        manifest: { manifest_version: 3, name: "Bench", version: "1.0.0" },
        enabled: true,
        files: extension.files.map(({ path, size, sha256 }) => ({ path, size, sha256 })),
        storage: { local: {}, sync: {} },
      },
    ],
  };
}

/** Loads a version and reads every part fully (state in `loadVersion`, then each file body). */
async function loadFully(environments, envId, userId = user) {
  const loaded = await environments.loadVersion(userId, envId);
  for await (const file of loaded.files()) await pipeline(file.body, sink());
  return loaded;
}

/** One master key per run: every environment store of the run reads the others' objects (the user's index among them). */
const keyring = new Keyring(new Map([["bench", randomBytes(32)]]), "bench");

function environmentsOver(driver) {
  return createEnvironmentStore({ store: createEncryptedBlobStore(driver, keyring) });
}

function s3Target(rgw) {
  const env = process.env;
  return env.WEBRUN_TEST_S3_ENDPOINT
    ? {
        endpoint: env.WEBRUN_TEST_S3_ENDPOINT,
        region: env.WEBRUN_TEST_S3_REGION ?? "us-east-1",
        accessKeyId: env.WEBRUN_TEST_S3_ACCESS_KEY,
        secretAccessKey: env.WEBRUN_TEST_S3_SECRET_KEY,
      }
    : rgw;
}

const s3Driver = (s3, bucket) =>
  createS3BlobStore({
    bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });

/** Child mode: one save + full load of an environment with `mb` MB of extensions; prints VmHWM. */
async function peakRssChild(target, mb) {
  const dir = await mkdtemp(join(tmpdir(), "webrun-bench-rss-"));
  try {
    const extension = await makeExtension(dir, mb * MB);
    const driver =
      target.driver === "fs"
        ? await createFsBlobStore({ root: join(dir, "store") })
        : await s3Driver(target.s3, target.bucket);
    const environments = environmentsOver(driver);
    // Its own user (and key): records of other runs in a shared bucket are not this keyring's.
    const owner = `rss-${randomBytes(4).toString("hex")}`;
    const env = await environments.create(owner, { name: `rss-${mb}` });
    await environments.saveVersion(owner, env._id, {
      state: stateWith(makeCookiesAndStorage(), extension),
      extensionFiles: extension.open,
    });
    await loadFully(environments, env._id, owner);
    await environments.delete(owner, env._id);
    await driver.close?.();
    const status = await readFile("/proc/self/status", "utf8");
    process.stdout.write(`${JSON.stringify({ vmHwmKb: Number(/VmHWM:\s+(\d+)/.exec(status)[1]) })}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function peakRss(target, mb) {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), "--rss-child", String(mb)],
    {
      env: { ...process.env, BENCH_RSS_TARGET: JSON.stringify(target) },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  if (child.status !== 0)
    throw new Error(`peak RSS child (${target.driver}, ${mb} MB) exited ${child.status}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1)).vmHwmKb;
}

/**
 * Median save and load seconds of each path. Every round runs each path's
 * save and then its load, path after path, so whatever else loads the
 * machine hits the baselines and our code alike.
 */
async function interleaved(iterations, paths) {
  const times = paths.map(() => ({ save: [], load: [] }));
  for (let i = 0; i < iterations; i += 1)
    for (const [p, path] of paths.entries()) {
      const round = (await path.prepare?.(i)) ?? {};
      times[p].save.push(await seconds(() => path.save(i, round)));
      times[p].load.push(await seconds(() => path.load(i, round)));
      await path.cleanup?.(i, round);
    }
  return times.map(({ save, load }) => ({ save: median(save), load: median(load) }));
}

/** Our path: a fresh environment per round, saved then loaded in full. */
function environmentPath(driver, state, extension) {
  const environments = environmentsOver(driver);
  return {
    prepare: async (i) => ({ env: await environments.create(user, { name: `bench-${i}` }) }),
    save: (_i, { env }) => environments.saveVersion(user, env._id, { state, extensionFiles: extension.open }),
    load: (_i, { env }) => loadFully(environments, env._id),
    cleanup: (_i, { env }) => environments.delete(user, env._id),
  };
}

/** A blob driver's own put/get of the same bytes as one plain object. */
function driverPath(store, source, totalBytes) {
  return {
    save: (i) => store.put(`bench/plain-${i}`, createReadStream(source), { contentLength: totalBytes }),
    load: async (i) => pipeline((await store.get(`bench/plain-${i}`)).body, sink()),
    cleanup: (i) => store.delete(`bench/plain-${i}`),
  };
}

/** Bytes uploaded by a save that changed one cookie value, against the whole archive. */
async function cookieChange(driver, state, extension) {
  const environments = environmentsOver(driver);
  const env = await environments.create(user, { name: "bench-cookie" });
  const saved = await environments.saveVersion(user, env._id, { state, extensionFiles: extension.open });
  const [first, ...rest] = state.cookies;
  const changed = await environments.saveVersion(user, env._id, {
    state: { ...state, cookies: [{ ...first, value: randomText(first.value.length) }, ...rest] },
    extensionFiles: extension.open,
    baseVersion: saved.version,
  });
  await environments.delete(user, env._id);
  return { bytesUploaded: changed.bytesUploaded, archiveBytes: changed.summary.totalBytes };
}

/** One line per path: our MB/s, the raw baseline's MB/s beside it, and their ratio. */
function printTable(totalBytes, rows) {
  const mbps = (s) => (s === undefined ? "" : (totalBytes / MB / s).toFixed(1));
  const ratio = (ours, raw) => (raw === undefined ? undefined : raw / ours);
  const header = [
    "driver",
    "path",
    "save MB/s",
    "raw",
    "save ×raw",
    "load MB/s",
    "raw",
    "load ×raw",
    "≥0.8×",
  ];
  const lines = rows.map((row) => {
    const saveRatio = row.raw && ratio(row.save, row.raw.save);
    const loadRatio = row.raw && ratio(row.load, row.raw.load);
    return [
      row.driver,
      row.path,
      mbps(row.save),
      row.raw ? mbps(row.raw.save) : "",
      saveRatio ? saveRatio.toFixed(2) : "",
      mbps(row.load),
      row.raw ? mbps(row.raw.load) : "",
      loadRatio ? loadRatio.toFixed(2) : "",
      row.raw
        ? `${saveRatio >= SAVE_TARGET ? "PASS" : "MISS"}/${loadRatio >= SAVE_TARGET ? "PASS" : "MISS"}`
        : "",
    ];
  });
  const widths = header.map((_, c) => Math.max(header[c].length, ...lines.map((line) => line[c].length)));
  const format = (line) => line.map((cell, c) => cell.padEnd(widths[c])).join("  ");
  console.log(format(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const line of lines) console.log(format(line));
}

const OPERATIONS = ["put", "get", "head", "delete", "list"];

/** A driver that counts each call (a listing once, as one S3 page). */
function countingStore(driver, counts) {
  const counted = Object.create(driver);
  for (const operation of OPERATIONS)
    counted[operation] = (...args) => {
      counts[operation] += 1;
      return driver[operation](...args);
    };
  return counted;
}

/**
 * Driver calls and CPU milliseconds (user + system, this process) per save and per load on fs:
 * a first save of a fresh environment, a second save of the same environment (one cookie changed:
 * the head's parts are reused), and a load of its head. Medians over `rounds`.
 */
async function callsAndCpu(root, state, extension, rounds) {
  const counts = Object.fromEntries(OPERATIONS.map((operation) => [operation, 0]));
  const driver = countingStore(await createFsBlobStore({ root }), counts);
  const environments = environmentsOver(driver);
  const samples = { "first save": [], "next save": [], load: [] };
  const measure = async (name, work) => {
    for (const operation of OPERATIONS) counts[operation] = 0;
    const started = process.cpuUsage();
    await work();
    const cpu = process.cpuUsage(started);
    samples[name].push({ cpuMs: (cpu.user + cpu.system) / 1000, ...counts });
  };
  const [first, ...rest] = state.cookies;
  for (let i = 0; i < rounds; i += 1) {
    const env = await environments.create(user, { name: `calls-${i}` });
    await measure("first save", () =>
      environments.saveVersion(user, env._id, { state, extensionFiles: extension.open }),
    );
    const changed = { ...state, cookies: [{ ...first, value: randomText(first.value.length) }, ...rest] };
    await measure("next save", () =>
      environments.saveVersion(user, env._id, { state: changed, extensionFiles: extension.open }),
    );
    await measure("load", () => loadFully(environments, env._id));
    await environments.delete(user, env._id);
  }
  console.log(
    `\nDriver calls and CPU per operation on fs (median of ${rounds}; calls below encryption, CPU of this process):\n`,
  );
  for (const [name, list] of Object.entries(samples)) {
    const calls = OPERATIONS.map((operation) => `${operation} ${median(list.map((s) => s[operation]))}`);
    const total = median(list.map((s) => OPERATIONS.reduce((sum, operation) => sum + s[operation], 0)));
    const cpu = median(list.map((s) => s.cpuMs)).toFixed(1);
    console.log(
      `${name.padEnd(10)}  ${String(total).padStart(2)} calls (${calls.join(", ")})  CPU ${cpu} ms`,
    );
  }
}

/** In-process `cp SOURCE TARGET && sync TARGET`: a read stream into a new file, then fsync. */
async function durableCopy(source, target) {
  const handle = await open(target, "w");
  try {
    for await (const chunk of createReadStream(source, { highWaterMark: 1 << 20 })) await handle.write(chunk);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** In-process `cat FILE >/dev/null`. */
const readThrough = (file) => pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), sink());

async function main() {
  const iterations = Number(process.argv.find((arg) => arg.startsWith("--iterations="))?.split("=")[1] ?? 5);
  const dir = await mkdtemp(join(tmpdir(), "webrun-bench-env-"));
  let rgw;
  try {
    const extension = await makeExtension(dir, EXTENSION_BYTES);
    const state = stateWith(makeCookiesAndStorage(), extension);
    const totalBytes =
      Buffer.byteLength(JSON.stringify({ cookies: state.cookies, origins: state.origins })) +
      extension.files.reduce((sum, file) => sum + file.size, 0);
    const source = join(dir, "same-bytes.bin");
    await writeRandomFile(source, totalBytes);
    if (process.argv.includes("--calls")) {
      await callsAndCpu(join(dir, "calls-store"), state, extension, Math.max(iterations, 5));
      return;
    }
    const rows = [];
    const cookieChanges = [];

    const fsRoot = join(dir, "fs-store");
    const fsStore = await createFsBlobStore({ root: fsRoot });
    const copy = join(dir, "copy.bin");
    const [fsSpawned, fsRaw, fsDriver, fsOurs] = await interleaved(iterations, [
      {
        save: () => {
          execFileSync("cp", [source, copy]);
          execFileSync("sync", [copy]);
        },
        load: () => execFileSync("cat", [copy], { stdio: ["ignore", "ignore", "inherit"] }),
      },
      { save: () => durableCopy(source, copy), load: () => readThrough(copy) },
      driverPath(fsStore, source, totalBytes),
      environmentPath(fsStore, state, extension),
    ]);
    rows.push(
      {
        driver: "fs",
        path: "spawned cp + sync FILE / cat >/dev/null (start-up included; reference)",
        ...fsSpawned,
      },
      { driver: "fs", path: "raw, in process: read → write → fsync / read → sink", ...fsRaw },
      { driver: "fs", path: "driver put/get (plain, one object)", ...fsDriver, raw: fsRaw },
      { driver: "fs", path: "environment save/load (encrypted)", ...fsOurs, raw: fsRaw },
    );
    cookieChanges.push({ driver: "fs", ...(await cookieChange(fsStore, state, extension)) });

    if (!process.env.WEBRUN_TEST_S3_ENDPOINT) {
      rgw = await startRgw({ memstoreBytes: 3 * 1024 ** 3 });
      console.log(`Ceph RGW started in ${rgw.startupMs} ms`);
    }
    const s3 = s3Target(rgw);
    const client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
    });
    const Bucket = `webrun-bench-${randomBytes(4).toString("hex")}`;
    await client.send(new CreateBucketCommand({ Bucket }));
    const s3Store = await s3Driver(s3, Bucket);
    const [s3Raw, s3Plain, s3Ours] = await interleaved(iterations, [
      {
        save: (i) =>
          client.send(
            new PutObjectCommand({
              Bucket,
              Key: `raw-${i}`,
              Body: createReadStream(source),
              ContentLength: totalBytes,
            }),
          ),
        load: async (i) =>
          pipeline((await client.send(new GetObjectCommand({ Bucket, Key: `raw-${i}` }))).Body, sink()),
        cleanup: (i) => client.send(new DeleteObjectCommand({ Bucket, Key: `raw-${i}` })),
      },
      driverPath(s3Store, source, totalBytes),
      environmentPath(s3Store, state, extension),
    ]);
    rows.push(
      { driver: "rgw", path: "raw SDK PutObject/GetObject", ...s3Raw },
      { driver: "rgw", path: "driver put/get (plain, one object)", ...s3Plain, raw: s3Raw },
      { driver: "rgw", path: "environment save/load (encrypted)", ...s3Ours, raw: s3Raw },
    );
    cookieChanges.push({ driver: "rgw", ...(await cookieChange(s3Store, state, extension)) });
    await s3Store.close();
    client.destroy();

    const rss = [];
    for (const target of [{ driver: "fs" }, { driver: "rgw", s3: { ...s3 }, bucket: Bucket }])
      for (const mb of RSS_EXTENSION_SIZES_MB)
        rss.push({ driver: target.driver, mb, kb: peakRss(target, mb) });

    console.log(
      `\nEnvironment save/load: ${(totalBytes / MB).toFixed(2)} MB (1 MB state + 10 MB extensions), median of ${iterations} interleaved rounds; "raw" = the baseline's MB/s in the same run, ratio = ours/raw (target ≥${SAVE_TARGET}×)\n`,
    );
    printTable(totalBytes, rows);
    console.log(
      "\nCookie-only change (save with baseVersion, one cookie value changed): target <5% of the archive",
    );
    for (const change of cookieChanges) {
      const share = (100 * change.bytesUploaded) / change.archiveBytes;
      console.log(
        `${change.driver.padEnd(4)} uploaded ${change.bytesUploaded} B of ${change.archiveBytes} B = ${share.toFixed(2)}%  ${share < 5 ? "PASS" : "MISS"}`,
      );
    }
    console.log("\nPeak RSS (VmHWM) of a child doing one save + full load:");
    for (const { driver, mb, kb } of rss)
      console.log(
        `${driver.padEnd(4)} ${String(mb).padStart(4)} MB of extensions: ${(kb / 1024).toFixed(0)} MiB`,
      );
    await callsAndCpu(join(dir, "calls-store"), state, extension, Math.max(iterations, 5));
  } finally {
    await rgw?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--rss-child")
  await peakRssChild(JSON.parse(process.env.BENCH_RSS_TARGET), Number(process.argv[3]));
else await main();
