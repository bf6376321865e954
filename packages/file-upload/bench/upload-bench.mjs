// Benchmark of the upload service against the raw store, on the fs driver and on Ceph RGW.
//   node bench/upload-bench.mjs [--driver fs|rgw|all] [--size-mib 1024] [--concurrent 50] [--each-mb 10]
// Needs the package built (pnpm turbo run build --filter=@webrun/file-upload...).
// Prints a Markdown table per driver. Figures: 1 GiB through the service vs the
// same bytes put raw into the same store in the same process run; server peak
// RSS (VmHWM of the separate server process) for 64 MiB, 256 MiB and 1 GiB
// uploads; N concurrent uploads with sha256 checks and p50/p99 latency.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { createFsBlobStore, createS3BlobStore } from "@webrun/env-store";
import { startRgw } from "@webrun/test-fixtures";

const MiB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    driver: { type: "string", default: "all" },
    "size-mib": { type: "string", default: "1024" },
    concurrent: { type: "string", default: "50" },
    "each-mb": { type: "string", default: "10" },
  },
});
const bigSize = Number(values["size-mib"]) * MiB;
const rssSizes = [64 * MiB, 256 * MiB, bigSize].filter((size, i, all) => all.indexOf(size) === i);
const concurrent = Number(values.concurrent);
const eachSize = Number(values["each-mb"]) * 1_000_000;

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
  const rgw = await startRgw({ memstoreBytes: 4 * 1024 * MiB, dataDir: dir });
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

    // Raw: the same generated bytes straight into the same store, from this process.
    const raw = generated(bigSize);
    let started = performance.now();
    await driver.store.put("bench/raw", raw.stream);
    const rawMs = performance.now() - started;
    await driver.store.delete("bench/raw");

    // Raw over HTTP: the body of a plain PUT piped into the store by the server process.
    let server = await startServer(env);
    const httpRaw = await new Promise((resolve, reject) => {
      const body = generated(bigSize);
      const begin = performance.now();
      const req = request(
        `${server.url}/raw/x`,
        { method: "PUT", headers: { "content-length": bigSize } },
        (res) => {
          res.resume();
          res.on("end", () => resolve(performance.now() - begin));
        },
      );
      req.on("error", reject);
      body.stream.pipe(req);
    });
    await driver.store.delete("bench/raw/x");
    await server.stop();

    // Through the service, one fresh server per size so VmHWM is that upload's peak.
    const service = {};
    for (const size of rssSizes) {
      server = await startServer(env);
      const { answer, ms, sha256 } = await uploadStream(server.url, size, randomBytes(MiB));
      const [file] = answer.files;
      if (file.sha256 !== sha256 || file.size !== size)
        throw new Error(`service stored wrong bytes at ${size}`);
      service[size] = { ms, rss: await server.peakRss() };
      await server.stop();
      // The bytes are now an orphan: remove them so memstore does not fill up.
      for await (const info of driver.store.list("files/")) await driver.store.delete(info.key);
    }

    // Concurrent uploads, each checked by the sha256 the service answers and by downloading it back.
    server = await startServer(env);
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

    const big = service[bigSize];
    rows.push(
      `### ${name} (${driver.store.driver})`,
      "",
      "| measure | figure |",
      "|---|---|",
      `| raw store.put, ${bigSize / MiB} MiB | ${mbps(bigSize, rawMs).toFixed(0)} MB/s |`,
      `| raw HTTP PUT → store.put (server process), ${bigSize / MiB} MiB | ${mbps(bigSize, httpRaw).toFixed(0)} MB/s |`,
      `| service (multipart → busboy → sha256 → store), ${bigSize / MiB} MiB | ${mbps(bigSize, big.ms).toFixed(0)} MB/s |`,
      `| service / raw store.put | ${(rawMs / big.ms).toFixed(2)}× |`,
      `| service / raw HTTP PUT | ${(httpRaw / big.ms).toFixed(2)}× |`,
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
