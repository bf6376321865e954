import { readAll } from "@webrun/blob-store";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileKeys } from "../src/index.js";
import {
  environmentId,
  otherEnvironmentId,
  startInProcessServer,
  strangersEnvironmentId,
  type TestServer,
  userId,
} from "./support/in-process-server.js";
import { allKeys } from "./support/stores.js";
import { upload } from "./support/uploads.js";

const unknownFileId = "ffffffffffffffffffffffff";

describe("file operations", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startInProcessServer();
  });
  afterEach(() => server.close());

  it("downloads a file whole and by ranges, with a safe Content-Disposition", async () => {
    const [file] = await upload(server.url, [
      {
        name: "",
        disposition: `form-data; name="files"; filename*=UTF-8''quote%22%E2%80%AE%0D%0AX%3A%20y%C3%A9.txt`,
        body: "0123456789",
      },
    ]);
    expect(file?.originalName).toBe('quote"X: yé.txt');
    const whole = await server.service.openFileDownload(userId, String(file?.fileId));
    expect(whole.status).toBe(200);
    expect((await readAll(whole.body)).toString()).toBe("0123456789");
    expect(whole.headers).toMatchObject({
      "content-length": "10",
      "content-type": "application/octet-stream",
      "x-content-type-options": "nosniff",
      "content-disposition": `attachment; filename="quote_X: y_.txt"; filename*=UTF-8''quote%22X%3A%20y%C3%A9.txt`,
    });
    const cases: Array<[string, string, string]> = [
      ["bytes=2-4", "234", "bytes 2-4/10"],
      ["bytes=7-", "789", "bytes 7-9/10"],
      ["bytes=-2", "89", "bytes 8-9/10"],
      ["bytes=8-100", "89", "bytes 8-9/10"],
    ];
    for (const [range, body, contentRange] of cases) {
      const part = await server.service.openFileDownload(userId, String(file?.fileId), range);
      expect([part.status, (await readAll(part.body)).toString(), part.headers["content-range"]]).toEqual([
        206,
        body,
        contentRange,
      ]);
    }
    // Several ranges or junk: the whole file, as RFC 9110 allows.
    expect(
      (await server.service.openFileDownload(userId, String(file?.fileId), "bytes=0-1,3-4")).status,
    ).toBe(200);
    await expect(
      server.service.openFileDownload(userId, String(file?.fileId), "bytes=10-"),
    ).rejects.toMatchObject({
      code: "RANGE_NOT_SATISFIABLE",
      details: { size: 10 },
    });
  });

  it("never lets another user read, list, delete or promote a file", async () => {
    const [file] = await upload(server.url, [{ name: "a", body: "x" }], { environmentId });
    const fileId = String(file?.fileId);
    expect(await server.service.getFile("stranger", fileId)).toBeUndefined();
    await expect(server.service.openFileDownload("stranger", fileId)).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
    });
    await expect(server.service.listEnvironmentFiles("stranger", environmentId)).rejects.toMatchObject({
      message: "Environment not found",
    });
    await expect(server.service.deleteFile("stranger", strangersEnvironmentId, fileId)).rejects.toMatchObject(
      {
        code: "FILE_NOT_FOUND",
      },
    );
    await expect(
      server.service.promoteFiles("stranger", strangersEnvironmentId, [fileId]),
    ).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
      message: `File "${fileId}" not found`,
    });
    expect(await server.service.getFile(userId, fileId)).toBeDefined();
  });

  it("promotes orphans, idempotently, and names every id it refuses", async () => {
    const [a, b] = await upload(server.url, [
      { name: "a", body: "a" },
      { name: "b", body: "b" },
    ]);
    const [elsewhere] = await upload(server.url, [{ name: "c", body: "c" }], {
      environmentId: otherEnvironmentId,
    });
    const ids = [String(a?.fileId), String(b?.fileId)];
    const promoted = await server.service.promoteFiles(userId, environmentId, ids);
    expect(promoted.map((f) => f.fileId)).toEqual(ids);
    expect(await server.service.promoteFiles(userId, environmentId, ids)).toEqual(promoted);
    expect(
      (await server.service.listEnvironmentFiles(userId, environmentId)).map((f) => f.originalName).sort(),
    ).toEqual(["a", "b"]);
    for (const id of ids) expect((await server.service.getFile(userId, id))?.expiresAt).toBeNull();
    expect(await allKeys(server.store, "files/unattached/")).toEqual([]);

    await expect(
      server.service.promoteFiles(userId, environmentId, [ids[0] as string, unknownFileId]),
    ).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
      message: `File "${unknownFileId}" not found`,
    });
    await expect(server.service.promoteFiles(userId, environmentId, ["../etc"])).rejects.toMatchObject({
      code: "FILE_NOT_FOUND",
    });
    await expect(
      server.service.promoteFiles(userId, environmentId, [String(elsewhere?.fileId)]),
    ).rejects.toMatchObject({
      code: "FILE_ATTACHED_ELSEWHERE",
      message: `File "${elsewhere?.fileId}" belongs to another environment`,
    });
    await expect(server.service.promoteFiles(userId, strangersEnvironmentId, ids)).rejects.toMatchObject({
      message: "Environment not found",
    });
  });

  it("checks every id before changing anything", async () => {
    const [a] = await upload(server.url, [{ name: "a", body: "a" }]);
    await expect(
      server.service.promoteFiles(userId, environmentId, [String(a?.fileId), unknownFileId]),
    ).rejects.toThrow();
    expect((await server.service.getFile(userId, String(a?.fileId)))?.environmentId).toBeNull();
  });

  it("deletes one file, then all of an environment's files, leaving no key behind", async () => {
    const files = await upload(
      server.url,
      [
        { name: "a", body: "a" },
        { name: "b", body: "b" },
        { name: "c", body: "c" },
      ],
      { environmentId },
    );
    const [kept] = await upload(server.url, [{ name: "other", body: "o" }], {
      environmentId: otherEnvironmentId,
    });
    await server.service.deleteFile(userId, environmentId, String(files[0]?.fileId));
    await expect(
      server.service.deleteFile(userId, environmentId, String(files[0]?.fileId)),
    ).rejects.toMatchObject({
      message: "File not found",
    });
    await expect(
      server.service.deleteFile(userId, environmentId, String(kept?.fileId)),
    ).rejects.toMatchObject({
      message: "File not found",
    });
    expect(
      (await server.service.listEnvironmentFiles(userId, environmentId)).map((f) => f.originalName).sort(),
    ).toEqual(["b", "c"]);
    expect(await server.service.deleteEnvironmentFiles(userId, environmentId)).toBe(2);
    expect(await server.service.listEnvironmentFiles(userId, environmentId)).toEqual([]);
    const left = await allKeys(server.store);
    expect(left.every((key) => key.includes(String(kept?.fileId)))).toBe(true);
    expect(left).toHaveLength(3);
  });

  it("lists an environment's files without checking it again, and removes entries whose record is gone", async () => {
    const files = await upload(server.url, [{ name: "a", body: "a" }], { environmentId });
    expect(await server.service.attachedFiles(userId, environmentId)).toEqual(
      await server.service.listEnvironmentFiles(userId, environmentId),
    );
    expect(await server.service.attachedFiles(userId, "not-an-id")).toEqual([]);
    expect(await server.service.attachedFiles(userId, strangersEnvironmentId)).toEqual([]);
    // An entry left by an interrupted delete: its record is gone.
    await server.store.put(fileKeys.environmentEntry(userId, environmentId, unknownFileId), "");
    expect(await server.service.attachedFiles(userId, environmentId)).toHaveLength(1);
    expect(await server.service.deleteEnvironmentFiles(userId, environmentId)).toBe(1);
    const left = await allKeys(server.store);
    expect(
      left.filter((key) => key.includes(String(files[0]?.fileId)) || key.includes(unknownFileId)),
    ).toEqual([]);
  });
});
