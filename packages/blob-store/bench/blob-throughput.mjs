// Put/get throughput of a 256 MiB body through the fs and s3 BlobStore drivers, next to the raw
// baselines (cp / a read stream for fs; plain SDK PutObject/GetObject for s3).
// Run after building: `pnpm turbo run build --filter=@webrun/blob-store...` then
// `node packages/blob-store/bench/blob-throughput.mjs` (starts a Ceph RGW unless WEBRUN_TEST_S3_ENDPOINT is set).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, open, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createFsBlobStore } from "@webrun/blob-store";
import { createS3BlobStore } from "@webrun/blob-store/s3";
import { startRgw } from "@webrun/test-fixtures";

const size = Number(process.env.BENCH_BYTES ?? 256 * 1024 * 1024);
const dir = await mkdtemp(join(tmpdir(), "webrun-bench-"));
const source = join(dir, "source.bin");
const sink = () => new Writable({ write: (_chunk, _encoding, callback) => callback() });

async function timed(label, work) {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const row = { label, mbPerSecond: Math.round(size / 1e6 / seconds), seconds: Number(seconds.toFixed(2)) };
  console.log(JSON.stringify(row));
  return row;
}

await pipeline(
  (async function* () {
    for (let sent = 0; sent < size; sent += 1 << 20) yield randomBytes(Math.min(1 << 20, size - sent));
  })(),
  createWriteStream(source),
);

let rgw;
try {
  const fsStore = await createFsBlobStore({ root: join(dir, "store") });
  await timed("fs raw: cp", async () => execFileSync("cp", [source, join(dir, "copy.bin")]));
  await timed("fs raw: stream copy + fsync", async () => {
    await pipeline(createReadStream(source), createWriteStream(join(dir, "copy2.bin")));
    const copy = await open(join(dir, "copy2.bin"), "r+");
    await copy.sync();
    await copy.close();
  });
  await timed("fs raw: read stream", () => pipeline(createReadStream(join(dir, "copy.bin")), sink()));
  await timed("fs driver: put (stream, length known)", () =>
    fsStore.put("bench/object", createReadStream(source), { contentLength: size }),
  );
  await timed("fs driver: get", async () => pipeline((await fsStore.get("bench/object")).body, sink()));
  await rm(join(dir, "copy.bin"));
  await rm(join(dir, "copy2.bin"));
  await rm(join(dir, "store"), { recursive: true });

  const env = process.env;
  if (!env.WEBRUN_TEST_S3_ENDPOINT) {
    // Room for the five 256 MiB objects alive at once (the OSD keeps data in RAM).
    rgw = await startRgw({ memstoreBytes: 4 * 1024 ** 3 });
    console.log(JSON.stringify({ label: "Ceph RGW start-up", ms: rgw.startupMs }));
  }
  const s3 = env.WEBRUN_TEST_S3_ENDPOINT
    ? {
        endpoint: env.WEBRUN_TEST_S3_ENDPOINT,
        region: env.WEBRUN_TEST_S3_REGION ?? "us-east-1",
        accessKeyId: env.WEBRUN_TEST_S3_ACCESS_KEY,
        secretAccessKey: env.WEBRUN_TEST_S3_SECRET_KEY,
      }
    : rgw;
  const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  const client = new S3Client({
    region: s3.region,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials,
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const Bucket = `webrun-bench-${randomBytes(4).toString("hex")}`;
  await client.send(new CreateBucketCommand({ Bucket }));
  const s3Store = await createS3BlobStore({
    bucket: Bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    credentials,
  });
  await timed("s3 raw SDK: PutObject", () =>
    client.send(
      new PutObjectCommand({ Bucket, Key: "raw", Body: createReadStream(source), ContentLength: size }),
    ),
  );
  await timed("s3 raw SDK: GetObject", async () =>
    pipeline((await client.send(new GetObjectCommand({ Bucket, Key: "raw" }))).Body, sink()),
  );
  const singlePutStore = await createS3BlobStore({
    bucket: Bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    credentials,
    singlePutMaxBytes: size,
  });
  await timed("s3 driver: put (single PutObject, length known)", () =>
    singlePutStore.put("bench/single", createReadStream(source), { contentLength: size }),
  );
  await singlePutStore.close();
  await timed("s3 driver: put (multipart, length known)", () =>
    s3Store.put("bench/multipart", createReadStream(source), { contentLength: size }),
  );
  await timed("s3 driver: put (multipart, length unknown)", () =>
    s3Store.put("bench/unknown", createReadStream(source)),
  );
  await timed("s3 driver: conditional put (single PutObject)", () =>
    s3Store.put("bench/conditional", createReadStream(source), { contentLength: size, ifNoneMatch: "*" }),
  );
  await timed("s3 driver: get", async () => pipeline((await s3Store.get("bench/multipart")).body, sink()));
  for (const key of ["bench/single", "bench/multipart", "bench/unknown", "bench/conditional"])
    await s3Store.delete(key);
  await client.send(new (await import("@aws-sdk/client-s3")).DeleteObjectCommand({ Bucket, Key: "raw" }));
  await s3Store.close();
  client.destroy();
  console.log(JSON.stringify({ label: "source size", bytes: (await stat(source)).size }));
} finally {
  await rgw?.stop();
  await rm(dir, { recursive: true, force: true });
}
