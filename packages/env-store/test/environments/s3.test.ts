import { randomBytes } from "node:crypto";
import { GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { type BlobStore, createEncryptedBlobStore, keyringFromConfig, readAll } from "@webrun/blob-store";
import { createS3BlobStore } from "@webrun/blob-store/s3";
import { isWebrunError } from "@webrun/errors";
import {
  acquireTestS3Server,
  createTestBucket,
  killRaceWorkers,
  race,
  type TestS3Server,
  testS3Client,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironmentStore, type EnvironmentStore } from "../../src/index.js";
import { EXTENSION_ID, extensionFiles, randomKeyring, stateWith } from "./fixtures.js";
import { assertBuilt, type RaceOutcome, startWorkers } from "./race-workers.js";

/* The environment store on a real S3 server (Ceph RGW started for this file unless WEBRUN_TEST_S3_ENDPOINT names one), encrypted. */

const user = "s3-user";
let bucket = "";
let removeBucket = async (): Promise<void> => {};
let releaseServer = async (): Promise<void> => {};
let s3: TestS3Server;
let driver: BlobStore;
let store: EnvironmentStore;

beforeAll(async () => {
  // The process race runs the built package (dist/), like the fs process tests.
  assertBuilt();
  ({ server: s3, release: releaseServer } = await acquireTestS3Server());
  ({ bucket, remove: removeBucket } = await createTestBucket(s3, "environments"));
  driver = await createS3BlobStore({
    bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  store = createEnvironmentStore({ store: createEncryptedBlobStore(driver, randomKeyring()) });
}, 180_000);
afterAll(async () => {
  killRaceWorkers();
  await driver?.close();
  await removeBucket();
  await releaseServer();
}, 60_000);

describe("environments on Ceph RGW, encrypted", () => {
  it("admits exactly one of many racing saves with the same base", async () => {
    const env = await store.create(user, { name: "contested" });
    await store.saveVersion(user, env._id, { state: stateWith("base") });
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        store.saveVersion(user, env._id, { state: stateWith(`racer-${i}`), baseVersion: 1 }),
      ),
    );
    const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") expect(isWebrunError(r.reason, "VERSION_CONFLICT")).toBe(true);
    const head = await store.loadVersion(user, env._id);
    expect(head.version).toBe(2);
    expect(head.state.cookies[0]?.value).toBe(`racer-${winners[0]}`);
  }, 60_000);

  it("admits exactly one winner per base version among real processes sharing the bucket", async () => {
    const masterKey = randomBytes(32).toString("base64");
    const shared = createEnvironmentStore({
      store: createEncryptedBlobStore(driver, keyringFromConfig({ masterKeys: `race:${masterKey}` })),
    });
    // Its own user: the other tests' objects are under another master key.
    const racer = "s3-process-racer";
    const env = await shared.create(racer, { name: "process race" });
    await shared.saveVersion(racer, env._id, { state: stateWith("base") });
    const workerEnv = {
      ...process.env,
      WEBRUN_RACE_S3: JSON.stringify({
        bucket,
        region: s3.region,
        endpoint: s3.endpoint,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        masterKeys: `race:${masterKey}`,
      }),
    };
    const workers = await startWorkers(
      (i) => ["-", racer, env._id, "save-on-base", `p${i}`, "1"],
      4,
      workerEnv,
    );
    const results = await race<RaceOutcome>(workers);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => r.code)).toEqual([
      "VERSION_CONFLICT",
      "VERSION_CONFLICT",
      "VERSION_CONFLICT",
    ]);
    const head = await shared.loadVersion(racer, env._id);
    expect(head.version).toBe(2);
    expect(head.state.cookies[0]?.value).toBe(`p${results.findIndex((r) => r.ok)}`);
  }, 120_000);

  it("admits exactly the limit when creates race", async () => {
    const racer = "s3-creator";
    const results = await Promise.allSettled(
      Array.from({ length: 24 }, (_, i) => store.create(racer, { name: `env ${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(20);
    expect(await store.list(racer)).toHaveLength(20);
  }, 120_000);

  it("uploads only the state on a cookie-only change of a 10 MB environment", async () => {
    const env = await store.create(user, { name: "dedup" });
    const extension = extensionFiles(10 * 1024 * 1024, 5);
    const first = await store.saveVersion(user, env._id, {
      state: stateWith("one", extension),
      extensionFiles: extension.open,
    });
    const second = await store.saveVersion(user, env._id, {
      state: stateWith("two", extension),
      extensionFiles: extension.open,
      baseVersion: first.version,
    });
    expect(second.bytesUploaded / first.bytesUploaded).toBeLessThan(0.05);
    const loaded = await store.loadVersion(user, env._id);
    for (const [path, bytes] of extension.files)
      expect((await readAll(await loaded.openExtensionFile(EXTENSION_ID, path))).equals(bytes)).toBe(true);
  }, 120_000);

  it("leaves no cookie value in the bucket, read with a raw S3 client", async () => {
    const env = await store.create(user, { name: "secret" });
    const secret = `rgw-cookie-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    await store.saveVersion(user, env._id, { state: stateWith(secret) });
    const client = testS3Client(s3);
    let scanned = 0;
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const object of page.Contents ?? []) {
        const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const bytes = Buffer.from(
          await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
        );
        expect(bytes.includes(secret), object.Key).toBe(false);
        scanned += 1;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    client.destroy();
    expect(scanned).toBeGreaterThan(3);
    expect((await store.loadVersion(user, env._id)).state.cookies[0]?.value).toBe(secret);
  }, 60_000);

  it("collects garbage without touching what kept versions need", async () => {
    const env = await store.create(user, { name: "gc" });
    for (let i = 0; i < 3; i += 1) await store.saveVersion(user, env._id, { state: stateWith(`gc-${i}`) });
    const report = await store.collectGarbage({ userId: user });
    expect(report.objectsScanned).toBeGreaterThan(0);
    expect(report.objectsDeleted).toBe(0);
    for (const { version } of await store.history(user, env._id))
      await expect(store.loadVersion(user, env._id, version)).resolves.toBeDefined();
  }, 60_000);
});
