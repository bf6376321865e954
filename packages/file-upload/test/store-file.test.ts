import { Readable } from "node:stream";
import { type BlobStore, createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { beforeEach, describe, expect, it } from "vitest";
import { createFileService, type FileService, storeFile } from "../src/index.js";
import { allKeys } from "./support/stores.js";

const userId = "user-1";
const environmentId = "683a1f2e4b0c1d2e3f4a5b6c";
const environments = { exists: async (user: string, id: string) => user === userId && id === environmentId };

describe("storeFile: one file from a stream, no HTTP request", () => {
  let store: BlobStore;
  let service: FileService;
  beforeEach(() => {
    store = createMemoryBlobStore();
    service = createFileService({ store, environments, limits: { maxFileBytes: 1024 } });
  });

  it("stores and attaches a file like an upload with environmentId: sanitised name, measured, listed, readable", async () => {
    const stored = await service.storeFile(userId, {
      name: "../reports/q3\u202e.pdf",
      body: Readable.from([Buffer.from("%PDF-1.4\n"), Buffer.from("rest")]),
      environmentId,
    });
    expect(stored).toMatchObject({
      originalName: "q3.pdf",
      size: 13,
      contentType: "application/pdf",
      environmentId,
    });
    expect(await service.listEnvironmentFiles(userId, environmentId)).toEqual([
      { fileId: stored.fileId, originalName: "q3.pdf", size: 13 },
    ]);
    const download = await service.openFileDownload(userId, stored.fileId);
    expect((await readAll(download.body)).toString()).toBe("%PDF-1.4\nrest");
    // Attached: no orphan marker is left for the sweep.
    expect((await allKeys(store)).filter((key) => key.includes("unattached"))).toEqual([]);
  });

  it("stores an orphan without an environment (expires like an uploaded one)", async () => {
    const stored = await storeFile({ store, environments }, userId, {
      name: "a.txt",
      body: Readable.from(["x"]),
    });
    expect((await service.getFile(userId, stored.fileId))?.expiresAt).not.toBeNull();
  });

  it("refuses a file over maxFileBytes with FILE_TOO_LARGE and leaves nothing behind", async () => {
    const before = await allKeys(store);
    const error = await service
      .storeFile(userId, {
        name: "big.bin",
        body: Readable.from([Buffer.alloc(600), Buffer.alloc(600)]),
        environmentId,
      })
      .catch((caught: unknown) => caught);
    expect(isWebrunError(error, "FILE_TOO_LARGE")).toBe(true);
    expect((error as Error).message).toBe('File "big.bin" exceeds the 1 KiB limit');
    expect(await allKeys(store)).toEqual(before);
  });

  it("accepts a file of exactly maxFileBytes", async () => {
    const stored = await service.storeFile(userId, {
      name: "edge.bin",
      body: Readable.from([Buffer.alloc(1024)]),
    });
    expect(stored.size).toBe(1024);
  });

  it("refuses an unknown or another user's environment before writing anything", async () => {
    for (const [user, id] of [
      [userId, "0123456789abcdef01234567"],
      ["stranger", environmentId],
      [userId, "not-an-id"],
    ] as const) {
      const error = await service
        .storeFile(user, { name: "a.txt", body: Readable.from(["x"]), environmentId: id })
        .catch((caught: unknown) => caught);
      expect(isWebrunError(error, "ENVIRONMENT_NOT_FOUND")).toBe(true);
    }
    expect(await allKeys(store)).toEqual([]);
  });

  it("a source that fails mid-stream stores nothing and reports storage unavailable", async () => {
    const body = new Readable({
      read() {
        this.push(Buffer.from("partial"));
        this.destroy(new Error("disk gone"));
      },
    });
    const error = await service
      .storeFile(userId, { name: "a.txt", body, environmentId })
      .catch((caught: unknown) => caught);
    expect(isWebrunError(error, "FILE_STORAGE_UNAVAILABLE")).toBe(true);
    expect(await allKeys(store)).toEqual([]);
  });
});
