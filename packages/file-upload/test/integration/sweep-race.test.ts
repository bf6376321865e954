import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BlobStore, createFsBlobStore } from "@webrun/blob-store";
import { createS3BlobStore } from "@webrun/blob-store/s3";
import { isWebrunError } from "@webrun/errors";
import { acquireTestS3Server, createTestBucket } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FileService, fileKeys, sweepOrphans } from "../../src/index.js";
import {
  environmentId,
  startInProcessServer,
  type TestServer,
  userId,
} from "../support/in-process-server.js";
import { allKeys } from "../support/stores.js";
import { upload } from "../support/uploads.js";

const later = (ms: number) => new Date(Date.now() + ms);
const environments = { exists: async (user: string, id: string) => user === userId && id === environmentId };

interface RealStores {
  /** Three independent clients of one store, as three API processes would have. */
  open(): Promise<[BlobStore, BlobStore, BlobStore]>;
  teardown(): Promise<void>;
}

async function fsStores(): Promise<RealStores> {
  const dir = await mkdtemp(join(tmpdir(), "file-upload-race-"));
  const root = join(dir, "store");
  return {
    open: async () => [
      await createFsBlobStore({ root }),
      await createFsBlobStore({ root }),
      await createFsBlobStore({ root }),
    ],
    teardown: () => rm(dir, { recursive: true, force: true }),
  };
}

async function rgwStores(): Promise<RealStores> {
  const { server: s3, release } = await acquireTestS3Server();
  const { bucket, remove } = await createTestBucket(s3, "file-upload-race");
  const credentials = { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
  const one = () => createS3BlobStore({ endpoint: s3.endpoint, region: s3.region, bucket, credentials });
  return {
    open: async () => [await one(), await one(), await one()],
    teardown: async () => {
      await remove();
      await release();
    },
  };
}

describe.each([
  ["fs", fsStores],
  ["Ceph RGW", rgwStores],
])("promotion racing two sweepers on %s (three store clients)", (_, makeStores) => {
  let stores: RealStores;
  let clients: [BlobStore, BlobStore, BlobStore];
  let server: TestServer;
  let service: FileService;

  beforeAll(async () => {
    stores = await makeStores();
    clients = await stores.open();
    server = await startInProcessServer({ store: clients[0] });
    service = server.service;
  }, 180_000);

  afterAll(async () => {
    await server?.close();
    for (const client of clients ?? []) await client.close();
    await stores?.teardown();
  }, 60_000);

  it("every file ends either promoted with its bytes, or swept with a clear FILE_EXPIRED/NOT_FOUND", async () => {
    const files = await upload(
      server.url,
      Array.from({ length: 8 }, (_, i) => ({ name: `f${i}`, body: `bytes of file ${i}` })),
    );
    const sweep = (store: BlobStore) => sweepOrphans({ store, environments }, { now: later(61 * 60_000) });
    // Promote one file at a time so each promotion races the sweepers on its own.
    const promotions = Promise.allSettled(
      files.map((file) => service.promoteFiles(userId, environmentId, [file.fileId])),
    );
    const [reports, outcomes] = await Promise.all([
      Promise.all([sweep(clients[1]), sweep(clients[2])]),
      promotions,
    ]);
    let promoted = 0;
    for (const [index, outcome] of outcomes.entries()) {
      const fileId = String(files[index]?.fileId);
      const record = await service.getFile(userId, fileId);
      const blob = await clients[1].head(fileKeys.blob(userId, fileId));
      if (outcome.status === "fulfilled") {
        promoted += 1;
        expect(record?.environmentId).toBe(environmentId);
        expect(blob?.size).toBe(`bytes of file ${index}`.length);
      } else {
        const error = outcome.reason;
        expect(isWebrunError(error) && ["FILE_EXPIRED", "FILE_NOT_FOUND"].includes(error.code)).toBe(true);
        expect(record).toBeUndefined();
        expect(blob).toBeUndefined();
      }
    }
    const expired = reports.reduce((sum, report) => sum + report.expired, 0);
    expect(expired).toBe(files.length - promoted);
    expect(await allKeys(clients[2], fileKeys.unattachedPrefix)).toEqual([]);
    const listed = await service.listEnvironmentFiles(userId, environmentId);
    expect(listed).toHaveLength(promoted);
  }, 120_000);
});
