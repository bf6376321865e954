// Benchmark of the upload service against the raw store, on the fs driver and on Ceph RGW.
//   node bench/upload-bench.mjs [--driver fs|rgw|all] [--size-mib 1024] [--curl-mib 96] [--rounds 5]
//                               [--concurrent 50] [--each-mb 10]
// Needs the package built (pnpm turbo run build --filter=@webrun/file-upload...).
// Prints a Markdown table per driver. Figures, every ratio next to both raw figures:
// 1 GiB through the service vs the same bytes put raw into the same store from
// this process; 96 MiB with `curl -F` into the service vs `curl` PUT straight
// to RGW / `cp` + `sync FILE` on fs (processes started on both sides); server
// peak RSS (VmHWM of the separate server process) for 64 MiB, 256 MiB and 1 GiB
// uploads; N concurrent uploads with sha256 checks and p50/p99 latency.
import { execFile, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseArgs, promisify } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { createFsBlobStore } from "@webrun/blob-store";
import { createS3BlobStore } from "@webrun/blob-store/s3";
import { startRgw } from "@webrun/test-fixtures";

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    driver: { type: "string", default: "all" },
    "size-mib": { type: "string", default: "1024" },
    concurrent: { type: "string", default: "50" },
    "each-mb": { type: "string", default: "10" },
    "curl-mib": { type: "string", default: "96" },
    rounds: { type: "string", default: "5" },
    "rgw-memstore-gib": { type: "string", default: "14" },
  },
});
const bigSize = Number(values["size-mib"]) * MiB;
const rssSizes = [64 * MiB, 256 * MiB, bigSize].filter(
  (size, i, all) => size <= bigSize && all.indexOf(size) === i,
);
const concurrent = Number(values.concurrent);
const eachSize = Number(values["each-mb"]) * 1_000_000;
const rounds = Number(values.rounds);
const curlSize = Number(values["curl-mib"]) * MiB;
const run = promisify(execFile);

/** `size` bytes made of one random 1 MiB block repeated: cheap to generate, distinct per seed block. */
function generated(size, block = randomBytes(MiB)) {
  let left = size;
  const hash = createHash("sha256");
  const stream = new Readable({
    read() {
      if (left === 0) return this.push(null);
      const chunk = block.subarray(0, Math.min(block.length, left));
      left -= chunk.length;
      hash.update(chunk);
      this.push(chunk);
    },
  });
  return { stream, sha256: () => hash.digest("hex") };
}

function startServer(env) {
  const child = spawn(process.execPath, [new URL("./upload-server.mjs", import.meta.url).pathname], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout.once("data", (line) => {
      const { url } = JSON.parse(String(line).split("\n")[0]);
      resolve({
        url,
        peakRss: async () =>
          Number(/VmHWM:\s+(\d+)/.exec(await readFile(`/proc/${child.pid}/status`, "utf8"))[1]) * 1024,
        stop: () =>
          new Promise((done) => {
            child.once("exit", done);
            child.kill("SIGTERM");
          }),
      });
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
}

/** POSTs one file as multipart/form-data, streaming; resolves with the parsed answer and the elapsed ms. */
function uploadStream(url, size, block) {
  const boundary = `----bench${randomBytes(6).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const body = generated(size, block);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/files/upload`,
      {
        method: "POST",
        headers: {
          "content-type": `multipart/form-data; boundary=${boundary}`,
          "content-length": head.length + size + tail.length,
        },
      },
      async (res) => {
        let text = "";
        for await (const chunk of res) text += chunk;
        const ms = performance.now() - started;
        if (res.statusCode !== 200) return reject(new Error(`upload answered ${res.statusCode}: ${text}`));
        resolve({ answer: JSON.parse(text), ms, sha256: body.sha256() });
      },
    );
    req.on("error", reject);
    req.write(head);
    body.stream.pipe(req, { end: false });
    body.stream.on("end", () => req.end(tail));
  });
}

async function download(url, fileId) {
  const hash = createHash("sha256");
  await new Promise((resolve, reject) => {
    request(`${url}/files/${fileId}`, (res) => {
      res.on("data", (chunk) => hash.update(chunk));
      res.on("end", resolve);
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
  return hash.digest("hex");
}

/** A plain HTTP PUT of `size` generated bytes that the server pipes into store.put; resolves with the ms. */
function rawHttpPut(url, size) {
  return new Promise((resolve, reject) => {
    const body = generated(size);
    const begin = performance.now();
    const req = request(`${url}/raw/x`, { method: "PUT", headers: { "content-length": size } }, (res) => {
      res.resume();
      res.on("end", () => resolve(performance.now() - begin));
    });
    req.on("error", reject);
    body.stream.pipe(req);
  });
}

/** One upload through a fresh service process: checked bytes, elapsed ms and that process's peak RSS. */
async function serviceUpload(env, store, size) {
  const server = await startServer(env);
  const { answer, ms, sha256 } = await uploadStream(server.url, size, randomBytes(MiB));
  const [file] = answer.files;
  if (file.sha256 !== sha256 || file.size !== size) throw new Error(`service stored wrong bytes at ${size}`);
  const rss = await server.peakRss();
  await server.stop();
  // The bytes are now an orphan: remove them so RGW's in-memory OSD does not fill up.
  for await (const info of store.list("files/")) await store.delete(info.key);
  return { ms, rss };
}

/** Runs a command to completion; resolves with the elapsed ms (process start-up included) and its stdout. */
async function timedCommand(file, args) {
  const begin = performance.now();
  const { stdout } = await run(file, args, { maxBuffer: 1 << 20 });
  return { ms: performance.now() - begin, stdout };
}

/** `curl -F files=@FILE` into the service; checks the answer names the file's bytes. */
async function curlFormUpload(url, file, size) {
  const { ms, stdout } = await timedCommand("curl", [
    "-sS",
    "--fail-with-body",
    "-F",
    `files=@${file}`,
    `${url}/files/upload`,
  ]);
  const [stored] = JSON.parse(stdout).files;
  if (stored.size !== size) throw new Error(`curl -F upload stored ${stored.size} bytes, not ${size}`);
  return ms;
}

/** The raw way to put the same file into the same storage: `curl` PUT to RGW (SigV4), or `cp` + `sync FILE` on fs. */
async function rawFilePut(name, env, file, target) {
  if (name === "fs") {
    const begin = performance.now();
    await run("cp", [file, target]);
    await run("sync", [target]);
    return performance.now() - begin;
  }
  const { ms } = await timedCommand("curl", [
    "-sS",
    "--fail-with-body",
    "-o",
    "/dev/null",
    "--aws-sigv4",
    `aws:amz:${env.S3_REGION}:s3`,
    "--user",
    `${env.AWS_ACCESS_KEY_ID}:${env.AWS_SECRET_ACCESS_KEY}`,
    // curl signs the payload hash only when told which one: RGW refuses the signature otherwise.
    "-H",
    "x-amz-content-sha256: UNSIGNED-PAYLOAD",
    "-T",
    file,
    `${env.S3_ENDPOINT}/${env.S3_BUCKET}/bench/curl-raw`,
  ]);
  return ms;
}

const progress = (message) => process.stderr.write(`[bench] ${message}\n`);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const mbps = (bytes, ms) => bytes / 1e6 / (ms / 1000);
const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function openDriver(name, dir) {
  if (name === "fs") {
    const root = join(dir, "store");
    return {
      env: { STORE: "fs", FS_ROOT: root },
      store: await createFsBlobStore({ root }),
      stop: async () => {},
    };
  }
  // RGW frees deleted objects' data only at garbage collection (hours later), so every byte
  // the bench writes stays in the in-memory OSD: size it for the whole run.
  const rgw = await startRgw({
    memstoreBytes: Number(values["rgw-memstore-gib"]) * 1024 * MiB,
    dataDir: dir,
  });
  const bucket = `bench-${randomBytes(4).toString("hex")}`;
  const credentials = { accessKeyId: rgw.accessKeyId, secretAccessKey: rgw.secretAccessKey };
  const client = new S3Client({
    region: rgw.region,
    endpoint: rgw.endpoint,
    forcePathStyle: true,
    credentials,
  });
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
  const store = await createS3BlobStore({ endpoint: rgw.endpoint, region: rgw.region, bucket, credentials });
  return {
    env: {
      STORE: "s3",
      S3_ENDPOINT: rgw.endpoint,
      S3_BUCKET: bucket,
      S3_REGION: rgw.region,
      AWS_ACCESS_KEY_ID: rgw.accessKeyId,
      AWS_SECRET_ACCESS_KEY: rgw.secretAccessKey,
    },
    store,
    stop: () => rgw.stop(),
  };
}

async function bench(name) {
  const dir = await mkdtemp(join(tmpdir(), `file-upload-bench-${name}-`));
  const driver = await openDriver(name, dir);
  const rows = [];
  try {
    const env = { ...driver.env, MAX_FILE_BYTES: String(bigSize) };

    // Throughput: raw store.put, raw HTTP PUT and the service, interleaved for `rounds` rounds so
    // load from anything else on the machine hits all three alike; medians are reported.
    const samples = { raw: [], httpRaw: [], service: [] };
    let httpRawRss = 0;
    let server;
    for (let round = 0; round < rounds; round += 1) {
      progress(`${name}: round ${round + 1}/${rounds}`);
      // Raw: the same generated bytes straight into the same store, from this process.
      const raw = generated(bigSize);
      const begin = performance.now();
      await driver.store.put("bench/raw", raw.stream);
      samples.raw.push(performance.now() - begin);
      await driver.store.delete("bench/raw");

      // Raw over HTTP: the body of a plain PUT piped into the store by the server process.
      server = await startServer(env);
      samples.httpRaw.push(await rawHttpPut(server.url, bigSize));
      httpRawRss = Math.max(httpRawRss, await server.peakRss());
      await driver.store.delete("bench/raw/x");
      await server.stop();

      samples.service.push((await serviceUpload(env, driver.store, bigSize)).ms);
    }

    progress(`${name}: ${curlSize / MiB} MiB with curl -F vs the raw put, ${rounds} interleaved rounds`);
    // The same file, both sides started as processes (curl, or cp and sync), so start-up is in both figures.
    const curlFile = join(dir, "curl-upload.bin");
    await writeFile(curlFile, randomBytes(curlSize));
    const curlSamples = { raw: [], form: [] };
    server = await startServer(env);
    for (let round = 0; round < rounds; round += 1) {
      curlSamples.raw.push(await rawFilePut(name, driver.env, curlFile, join(dir, "cp-target.bin")));
      await rm(join(dir, "cp-target.bin"), { force: true });
      curlSamples.form.push(await curlFormUpload(server.url, curlFile, curlSize));
      for await (const info of driver.store.list("files/")) await driver.store.delete(info.key);
    }
    await server.stop();
    await driver.store.delete("bench/curl-raw");

    progress(`${name}: peak RSS per upload size`);
    // Peak RSS through the service, one fresh server per size so VmHWM is that upload's peak.
    const service = {};
    for (const size of rssSizes) service[size] = await serviceUpload(env, driver.store, size);

    progress(`${name}: ${concurrent} concurrent uploads`);
    // Concurrent uploads, each checked by the sha256 the service answers and by downloading it back.
    server = await startServer(env);
    let started = performance.now();
    const blocks = Array.from({ length: concurrent }, () => randomBytes(MiB));
    started = performance.now();
    const results = await Promise.all(blocks.map((block) => uploadStream(server.url, eachSize, block)));
    const wallMs = performance.now() - started;
    let correct = 0;
    for (const result of results) {
      const [file] = result.answer.files;
      if (file.sha256 === result.sha256 && (await download(server.url, file.fileId)) === result.sha256)
        correct += 1;
    }
    const concurrentRss = await server.peakRss();
    await server.stop();
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);

    const rawMs = median(samples.raw);
    const httpRawMs = median(samples.httpRaw);
    const serviceMs = median(samples.service);
    const all = (list, size = bigSize) => list.map((ms) => mbps(size, ms).toFixed(0)).join(", ");
    const curlRawMs = median(curlSamples.raw);
    const curlFormMs = median(curlSamples.form);
    const rawPutName = name === "fs" ? "`cp` + `sync FILE`" : "`curl -T` PUT to RGW";
    rows.push(
      `### ${name} (${driver.store.driver}), median of ${rounds} interleaved rounds`,
      "",
      "| measure | figure |",
      "|---|---|",
      `| raw store.put, ${bigSize / MiB} MiB | ${mbps(bigSize, rawMs).toFixed(0)} MB/s (${all(samples.raw)}) |`,
      `| raw HTTP PUT → store.put (server process), ${bigSize / MiB} MiB | ${mbps(bigSize, httpRawMs).toFixed(0)} MB/s (${all(samples.httpRaw)}), server peak RSS ${(httpRawRss / MiB).toFixed(0)} MiB |`,
      `| service (multipart → busboy → sha256 → store), ${bigSize / MiB} MiB | ${mbps(bigSize, serviceMs).toFixed(0)} MB/s (${all(samples.service)}) |`,
      `| service / raw store.put, ${bigSize / MiB} MiB (goal ≥ 0.8×) | ${(rawMs / serviceMs).toFixed(2)}× (${mbps(bigSize, serviceMs).toFixed(0)} vs ${mbps(bigSize, rawMs).toFixed(0)} MB/s) |`,
      `| service / raw HTTP PUT, ${bigSize / MiB} MiB | ${(httpRawMs / serviceMs).toFixed(2)}× (${mbps(bigSize, serviceMs).toFixed(0)} vs ${mbps(bigSize, httpRawMs).toFixed(0)} MB/s) |`,
      `| raw ${rawPutName}, ${curlSize / MiB} MiB | ${mbps(curlSize, curlRawMs).toFixed(0)} MB/s (${all(curlSamples.raw, curlSize)}) |`,
      `| \`curl -F\` → service, ${curlSize / MiB} MiB | ${mbps(curlSize, curlFormMs).toFixed(0)} MB/s (${all(curlSamples.form, curlSize)}) |`,
      `| \`curl -F\` / raw ${rawPutName}, ${curlSize / MiB} MiB (goal ≥ 0.8×) | ${(curlRawMs / curlFormMs).toFixed(2)}× (${mbps(curlSize, curlFormMs).toFixed(0)} vs ${mbps(curlSize, curlRawMs).toFixed(0)} MB/s) |`,
      ...rssSizes.map(
        (size) =>
          `| server peak RSS (VmHWM), ${size / MiB} MiB upload | ${(service[size].rss / MiB).toFixed(0)} MiB (${mbps(size, service[size].ms).toFixed(0)} MB/s) |`,
      ),
      `| ${concurrent} concurrent × ${eachSize / 1e6} MB: correct (sha256 answered + downloaded) | ${correct}/${concurrent} |`,
      `| ${concurrent} concurrent: latency p50 / p99 / max | ${percentile(latencies, 50).toFixed(0)} / ${percentile(latencies, 99).toFixed(0)} / ${latencies.at(-1).toFixed(0)} ms |`,
      `| ${concurrent} concurrent: aggregate | ${mbps(concurrent * eachSize, wallMs).toFixed(0)} MB/s, server peak RSS ${(concurrentRss / MiB).toFixed(0)} MiB |`,
      "",
    );
  } finally {
    await driver.store.close();
    await driver.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return rows.join("\n");
}

const names = values.driver === "all" ? ["fs", "rgw"] : [values.driver];
for (const name of names) console.log(await bench(name));
