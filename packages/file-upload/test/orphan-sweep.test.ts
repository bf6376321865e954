import { type BlobStore, createMemoryBlobStore } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { afterEach, describe, expect, it } from "vitest";
import { fileKeys } from "../src/index.js";
import { environmentId, startInProcessServer, type TestServer, userId } from "./support/in-process-server.js";
import { allKeys, hookedStore, jitteryStore } from "./support/stores.js";
import { upload } from "./support/uploads.js";

const minute = 60_000;
const later = (ms: number) => new Date(Date.now() + ms);

describe("sweepOrphans", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(store?: BlobStore): Promise<TestServer> {
    server = await startInProcessServer(store ? { store } : {});
    return server;
  }

  it("deletes orphans after an hour, keeps younger ones and never touches attached files", async () => {
    const { url, service, store } = await serve();
    const orphans = await upload(url, [
      { name: "a", body: "a" },
      { name: "b", body: "b" },
    ]);
    const [kept] = await upload(url, [{ name: "kept", body: "k" }], { environmentId });
    expect(await service.sweepOrphans({ now: later(59 * minute) })).toMatchObject({ expired: 0 });
    expect(await service.sweepOrphans({ now: later(61 * minute) })).toMatchObject({ expired: 2, skipped: 0 });
    for (const orphan of orphans) {
      expect(await service.getFile(userId, orphan.fileId)).toBeUndefined();
      await expect(service.promoteFiles(userId, environmentId, [orphan.fileId])).rejects.toMatchObject({
        code: "FILE_NOT_FOUND",
      });
    }
    expect((await allKeys(store)).every((key) => key.includes(String(kept?.fileId)))).toBe(true);
    expect(await service.sweepOrphans({ now: later(600 * minute), maxAgeMs: minute })).toMatchObject({
      expired: 0,
    });
  });

  it("honours a configured max age", async () => {
    const { url, service } = await serve();
    await upload(url, [{ name: "a", body: "a" }]);
    expect(await service.sweepOrphans({ now: later(6 * minute), maxAgeMs: 5 * minute })).toMatchObject({
      expired: 1,
    });
  });

  it("cleans up after an upload whose process died before committing, only once it is surely dead", async () => {
    const { service, store } = await serve();
    const createdAt = new Date();
    const fileId = "aaaaaaaaaaaaaaaaaaaaaaaa";
    await store.put(fileKeys.unattachedMarker(createdAt, userId, fileId), "");
    await store.put(fileKeys.blob(userId, fileId), "half a file");
    expect(await service.sweepOrphans({ now: later(90 * minute) })).toMatchObject({
      abandoned: 0,
      skipped: 1,
    });
    expect(await service.sweepOrphans({ now: later(121 * minute) })).toMatchObject({ abandoned: 1 });
    expect(await allKeys(store)).toEqual([]);
  });

  it("repairs an attach interrupted after the record was written", async () => {
    const { url, service, store } = await serve();
    const [file] = await upload(url, [{ name: "a", body: "a" }], { environmentId });
    const record = await service.getFile(userId, String(file?.fileId));
    await store.delete(fileKeys.environmentEntry(userId, environmentId, String(file?.fileId)));
    await store.put(
      fileKeys.unattachedMarker(new Date(String(record?.createdAt)), userId, String(file?.fileId)),
      "",
    );
    expect(await service.listEnvironmentFiles(userId, environmentId)).toEqual([]);
    expect(await service.sweepOrphans({ now: later(61 * minute) })).toMatchObject({
      repaired: 1,
      expired: 0,
    });
    expect(await service.listEnvironmentFiles(userId, environmentId)).toHaveLength(1);
    expect(await allKeys(store, fileKeys.unattachedPrefix)).toEqual([]);
  });

  it("lets several sweepers run at once: each orphan is claimed by exactly one", async () => {
    const { url, service, store } = await serve(jitteryStore(createMemoryBlobStore()));
    const files = (
      await Promise.all(
        Array.from({ length: 5 }, (_, i) =>
          upload(
            url,
            [0, 1, 2, 3].map((j) => ({ name: `${i}-${j}`, body: "x" })),
          ),
        ),
      )
    ).flat();
    const reports = await Promise.all(
      Array.from({ length: 4 }, () => service.sweepOrphans({ now: later(61 * minute) })),
    );
    expect(reports.reduce((sum, report) => sum + report.expired, 0)).toBe(files.length);
    expect(await allKeys(store)).toEqual([]);
  });

  it("a promotion held until a sweep claimed the file fails with FILE_EXPIRED, and nothing is left", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = false;
    const store = hookedStore(createMemoryBlobStore(), async (key, body, options) => {
      if (options?.ifMatch && key.startsWith("files/records/") && String(body).includes(environmentId)) {
        holding = true;
        await held;
      }
    });
    const { url, service } = await serve(store);
    const [file] = await upload(url, [{ name: "a", body: "a" }]);
    const promotion = service.promoteFiles(userId, environmentId, [String(file?.fileId)]);
    promotion.catch(() => {});
    await expect.poll(() => holding).toBe(true);
    expect(await service.sweepOrphans({ now: later(61 * minute) })).toMatchObject({ expired: 1 });
    release();
    await expect(promotion).rejects.toMatchObject({
      code: "FILE_EXPIRED",
      message: `File "${file?.fileId}" expired and was deleted`,
    });
    expect(await allKeys(store)).toEqual([]);
  });

  it("a sweep held until a promotion landed skips the file, which stays attached with its bytes", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = false;
    const store = hookedStore(createMemoryBlobStore(), async (key, body, options) => {
      if (options?.ifMatch && key.startsWith("files/records/") && String(body).includes('"expiring"')) {
        holding = true;
        await held;
      }
    });
    const { url, service } = await serve(store);
    const [file] = await upload(url, [{ name: "a", body: "abc" }]);
    const sweep = service.sweepOrphans({ now: later(61 * minute) });
    await expect.poll(() => holding).toBe(true);
    await service.promoteFiles(userId, environmentId, [String(file?.fileId)]);
    release();
    expect(await sweep).toMatchObject({ expired: 0, skipped: 1 });
    const download = await service.openFileDownload(userId, String(file?.fileId));
    expect(download.headers["content-length"]).toBe("3");
    expect(await service.listEnvironmentFiles(userId, environmentId)).toHaveLength(1);
  });

  it("under random interleavings a promotion racing sweeps either keeps the file or fails clearly", async () => {
    const { url, service, store } = await serve(jitteryStore(createMemoryBlobStore(), 4));
    const outcomes = { promoted: 0, expired: 0 };
    for (let round = 0; round < 30; round += 1) {
      const [file] = await upload(url, [{ name: `r${round}`, body: `round ${round}` }]);
      const fileId = String(file?.fileId);
      const [promotion] = await Promise.allSettled([
        service.promoteFiles(userId, environmentId, [fileId]),
        service.sweepOrphans({ now: later(61 * minute) }),
        service.sweepOrphans({ now: later(61 * minute) }),
      ]);
      const record = await service.getFile(userId, fileId);
      const blob = await store.head(fileKeys.blob(userId, fileId));
      if (promotion.status === "fulfilled") {
        outcomes.promoted += 1;
        expect(record?.environmentId).toBe(environmentId);
        expect(blob?.size).toBe(`round ${round}`.length);
      } else {
        outcomes.expired += 1;
        const error = promotion.reason;
        expect(isWebrunError(error) && ["FILE_EXPIRED", "FILE_NOT_FOUND"].includes(error.code)).toBe(true);
        expect(record).toBeUndefined();
        expect(blob).toBeUndefined();
      }
    }
    expect(outcomes.promoted + outcomes.expired).toBe(30);
    // Every orphan was either promoted or swept: nothing waits for a later sweep.
    expect(await allKeys(store, fileKeys.unattachedPrefix)).toEqual([]);
  });
});

describe("an upload that a sweeper judged abandoned", () => {
  it("cannot commit afterwards: the upload fails and leaves nothing", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding = false;
    const store = hookedStore(createMemoryBlobStore(), async (key, _body, options) => {
      if (options?.ifNoneMatch && key.startsWith("files/records/") && !holding) {
        holding = true;
        await held;
      }
    });
    const server = await startInProcessServer({ store });
    try {
      const uploading = upload(server.url, [{ name: "late", body: "late bytes" }]).catch(
        (error: Error) => error,
      );
      await expect.poll(() => holding).toBe(true);
      // Three hours on: the sweep takes the upload for dead, claims its key and deletes its bytes.
      expect(await server.service.sweepOrphans({ now: later(180 * minute) })).toMatchObject({ abandoned: 1 });
      release();
      expect(String(await uploading)).toContain("UPLOAD_TIMEOUT");
      expect(await allKeys(store)).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
