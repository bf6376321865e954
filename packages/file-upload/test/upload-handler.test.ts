import { createHash, randomBytes } from "node:crypto";
import { connect } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getFile } from "../src/index.js";
import {
  environmentId,
  post,
  startInProcessServer,
  strangersEnvironmentId,
  type TestServer,
  userId,
} from "./support/in-process-server.js";
import { multipart } from "./support/multipart.js";
import { allKeys } from "./support/stores.js";

const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);
const sha256 = (data: Buffer | string) => createHash("sha256").update(data).digest("hex");

describe("handleUpload", () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startInProcessServer({
      limits: { maxFileBytes: 1000, maxFiles: 3, maxFields: 2, maxParts: 5, maxFieldBytes: 64 },
    });
  });
  afterEach(() => server.close());

  it("stores several files as orphans with size, sha256 and sniffed type, returning the contract's shape", async () => {
    const { body, contentType } = multipart([
      { name: "files", filename: "a.txt", contentType: "text/plain", body: "hello" },
      { name: "files", filename: "pixel.txt", contentType: "text/plain", body: png },
    ]);
    const { status, json } = await post(server.url, body, contentType);
    expect(status).toBe(200);
    expect(json.success).toBe(true);
    const files = json.files as Array<Record<string, unknown>>;
    expect(files.map((f) => [f.originalName, f.size, f.sha256, f.contentType, f.environmentId])).toEqual([
      ["a.txt", 5, sha256("hello"), "text/plain", null],
      ["pixel.txt", png.length, sha256(png), "image/png", null],
    ]);
    for (const file of files) expect(file.fileId).toMatch(/^[0-9a-f]{24}$/);
    const record = await getFile(
      { store: server.store, environments: { exists: async () => true } },
      userId,
      String(files[1]?.fileId),
    );
    expect(record).toMatchObject({
      declaredType: "text/plain",
      detectedType: "image/png",
      environmentId: null,
    });
    expect(Date.parse(String(record?.expiresAt)) - Date.parse(String(record?.createdAt))).toBe(3600_000);
  });

  it.each([
    ["before", true],
    ["after", false],
  ])("attaches files to an environmentId sent %s the files", async (_, first) => {
    const env = { name: "environmentId", body: environmentId };
    const file = { name: "files", filename: "a.txt", body: "x" };
    const { body, contentType } = multipart(first ? [env, file] : [file, env]);
    const { status, json } = await post(server.url, body, contentType);
    expect(status).toBe(200);
    const [uploaded] = json.files as Array<{ fileId: string; environmentId: string }>;
    expect(uploaded?.environmentId).toBe(environmentId);
    expect(await server.service.listEnvironmentFiles(userId, environmentId)).toEqual([
      { fileId: uploaded?.fileId, originalName: "a.txt", size: 1 },
    ]);
    // Attached at once: nothing left for the orphan sweep.
    expect(await allKeys(server.store, "files/unattached/")).toEqual([]);
  });

  it("accepts the old name profileId and treats an empty environmentId as none", async () => {
    const one = multipart([
      { name: "profileId", body: environmentId },
      { name: "files", filename: "a", body: "x" },
    ]);
    expect(
      ((await post(server.url, one.body, one.contentType)).json.files as [{ environmentId: string }])[0]
        .environmentId,
    ).toBe(environmentId);
    const two = multipart([
      { name: "environmentId", body: "" },
      { name: "files", filename: "a", body: "x" },
    ]);
    expect(
      ((await post(server.url, two.body, two.contentType)).json.files as [{ environmentId: null }])[0]
        .environmentId,
    ).toBeNull();
  });

  it.each([
    ["unknown", "ffffffffffffffffffffffff"],
    ["another user's", strangersEnvironmentId],
    ["malformed", "../../etc"],
  ])("answers 404 for an %s environment and deletes every blob it wrote", async (_, id) => {
    const { body, contentType } = multipart([
      { name: "files", filename: "a", body: randomBytes(900) },
      { name: "files", filename: "b", body: randomBytes(900) },
      { name: "environmentId", body: id },
    ]);
    const { status, json } = await post(server.url, body, contentType);
    expect([status, json.message, json.code]).toEqual([
      404,
      "Environment not found",
      "ENVIRONMENT_NOT_FOUND",
    ]);
    expect(await allKeys(server.store)).toEqual([]);
  });

  it("accepts a file of exactly the limit and refuses one byte more with 413 naming the limit", async () => {
    const ok = multipart([{ name: "files", filename: "edge.bin", body: randomBytes(1000) }]);
    expect((await post(server.url, ok.body, ok.contentType)).status).toBe(200);
    const before = await allKeys(server.store);
    const big = multipart([
      { name: "files", filename: "ok.bin", body: randomBytes(10) },
      { name: "files", filename: "big.bin", body: randomBytes(1001) },
    ]);
    const { status, json } = await post(server.url, big.body, big.contentType);
    expect([status, json.code, json.message]).toEqual([
      413,
      "FILE_TOO_LARGE",
      'File "big.bin" exceeds the 1000 bytes limit',
    ]);
    expect(await allKeys(server.store)).toEqual(before);
  });

  it.each([
    [
      "files",
      {},
      Array.from({ length: 4 }, (_, i) => ({ name: "files", filename: `f${i}`, body: "x" })),
      "TOO_MANY_FILES",
      "More than 3 files in one upload",
    ],
    [
      "fields",
      { maxFields: 1 },
      [
        { name: "files", filename: "f", body: "x" },
        { name: "environmentId", body: "" },
        { name: "environmentId", body: "" },
      ],
      "TOO_MANY_FIELDS",
      "More than 1 fields in one upload",
    ],
    [
      "parts",
      { maxParts: 2 },
      Array.from({ length: 3 }, (_, i) => ({ name: "files", filename: `f${i}`, body: "x" })),
      "TOO_MANY_PARTS",
      "More than 2 parts in one upload",
    ],
    [
      "field bytes",
      {},
      [
        { name: "files", filename: "f", body: "x" },
        { name: "environmentId", body: "a".repeat(65) },
      ],
      "FIELD_TOO_LARGE",
      'Field "environmentId" exceeds the 64 bytes limit',
    ],
  ])("answers 413 for too many %s and leaves nothing behind", async (_, limits, parts, code, message) => {
    const limited = await startInProcessServer({
      limits: { maxFileBytes: 1000, maxFiles: 3, maxFields: 2, maxParts: 5, maxFieldBytes: 64, ...limits },
    });
    try {
      const { body, contentType } = multipart(parts);
      const { status, json } = await post(limited.url, body, contentType);
      expect([status, json.code, json.message]).toEqual([413, code, message]);
      expect(await allKeys(limited.store)).toEqual([]);
    } finally {
      await limited.close();
    }
  });

  it.each([
    [
      "a wrong file field",
      [{ name: "file", filename: "a", body: "x" }],
      'Unexpected file field "file": send files in the "files" field',
    ],
    ["text in files", [{ name: "files", body: "x" }], 'The "files" field must carry a file, not text'],
    [
      "an unknown field",
      [
        { name: "files", filename: "a", body: "x" },
        { name: "environment_id", body: environmentId },
      ],
      'Unexpected field "environment_id": expected "files" and optionally "environmentId"',
    ],
    [
      "environmentId twice",
      [
        { name: "environmentId", body: environmentId },
        { name: "environmentId", body: environmentId },
        { name: "files", filename: "a", body: "x" },
      ],
      "environmentId given more than once",
    ],
    ["no file", [{ name: "environmentId", body: environmentId }], "No file provided"],
    ["only an empty file input", [{ name: "files", filename: "", body: "" }], "No file provided"],
    [
      "only an empty file input sent as a file",
      [{ name: "files", filename: "", contentType: "application/octet-stream", body: "" }],
      "No file provided",
    ],
  ])("answers 400 for %s", async (_, parts, message) => {
    const { body, contentType } = multipart(parts);
    const { status, json } = await post(server.url, body, contentType);
    expect([status, json.message]).toEqual([400, message]);
    expect(await allKeys(server.store)).toEqual([]);
  });

  it.each([
    ["no content type", "text/plain", "hello", "Expected a multipart/form-data request"],
    ["urlencoded", "application/x-www-form-urlencoded", "files=x", "Expected a multipart/form-data request"],
    [
      "a missing boundary",
      "multipart/form-data",
      "--x\r\n",
      "Malformed multipart body: no boundary in the Content-Type header",
    ],
    [
      "a truncated form",
      "multipart/form-data; boundary=xyz",
      '--xyz\r\nContent-Disposition: form-data; name="files"; filename="a"\r\n\r\nabc',
      "Malformed multipart body: Unexpected end of form",
    ],
    [
      "a malformed part header",
      "multipart/form-data; boundary=xyz",
      `--xyz\r\n${"X".repeat(20000)}\r\n\r\nabc\r\n--xyz--\r\n`,
      "Malformed multipart body: Malformed part header",
    ],
  ])("answers 400 for %s", async (_, contentType, body, message) => {
    const { status, json } = await post(server.url, Buffer.from(body), contentType);
    expect([status, json.message]).toEqual([400, message]);
    expect(await allKeys(server.store)).toEqual([]);
  });

  it("lists the files of one request in the order they were sent, even when they start in the same millisecond", async () => {
    const stopped = new Date("2026-12-05T12:00:00.000Z");
    const frozen = await startInProcessServer({ limits: { maxFiles: 6 }, now: () => stopped });
    try {
      const names = ["e.txt", "d.txt", "c.txt", "b.txt", "a.txt"];
      const { body, contentType } = multipart([
        { name: "environmentId", body: environmentId },
        ...names.map((filename) => ({ name: "files", filename, body: filename })),
      ]);
      expect((await post(frozen.url, body, contentType)).status).toBe(200);
      const listed = await frozen.service.listEnvironmentFiles(userId, environmentId);
      expect(listed.map((file) => file.originalName)).toEqual(names);
      const created = await Promise.all(
        listed.map(async ({ fileId }) => (await frozen.service.getFile(userId, fileId))?.createdAt),
      );
      expect(created).toEqual(names.map((_, index) => new Date(stopped.getTime() + index).toISOString()));
    } finally {
      await frozen.close();
    }
  });

  it("keeps the original name as sanitised metadata only", async () => {
    const { body, contentType } = multipart([
      { name: "files", filename: "../../etc/pa\u202esswd\t.txt", body: "x" },
      { name: "files", filename: "r\u00e9sum\u00e9 \u5c65\u6b74\u66f8.pdf", body: "%PDF-1.4\n" },
      {
        name: "files",
        disposition: `form-data; name="files"; filename*=UTF-8''..%2F..%2Fevil.txt%0D%0AX-Injected%3A%201`,
        body: "x",
      },
    ]);
    const { json } = await post(server.url, body, contentType);
    const files = json.files as Array<{ originalName: string; fileId: string; contentType: string }>;
    expect(files.map((f) => f.originalName)).toEqual([
      "passwd.txt",
      "résumé 履歴書.pdf",
      "evil.txtX-Injected: 1",
    ]);
    expect(files[1]?.contentType).toBe("application/pdf");
    const keys = await allKeys(server.store);
    expect(keys.some((key) => key.includes("passwd") || key.includes("sum"))).toBe(false);
  });

  it("deletes everything when the client disconnects mid-file", async () => {
    const { body, contentType } = multipart([
      { name: "files", filename: "done.bin", body: randomBytes(200) },
      { name: "files", filename: "half.bin", body: randomBytes(900) },
    ]);
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /files/upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, body.length - 300));
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.destroy();
    await expect.poll(() => server.outcomes.length).toBe(1);
    const outcome = await server.outcomes[0];
    expect(outcome).toMatchObject({ code: "UPLOAD_ABORTED" });
    expect(await allKeys(server.store)).toEqual([]);
  });

  it("refuses an upload slower than maxDurationMs, answering the client and leaving nothing", async () => {
    const slow = await startInProcessServer({ limits: { maxDurationMs: 300 } });
    try {
      const { body, contentType } = multipart([
        { name: "files", filename: "slow.bin", body: randomBytes(2000) },
      ]);
      const socket = connect(Number(new URL(slow.url).port), "127.0.0.1");
      await new Promise((resolve) => socket.once("connect", resolve));
      let answer = "";
      socket.on("data", (chunk) => {
        answer += chunk;
      });
      socket.write(
        `POST /files/upload HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${body.length}\r\n\r\n`,
      );
      socket.write(body.subarray(0, 1000));
      await expect.poll(() => answer, { timeout: 5000 }).toContain("UPLOAD_TIMEOUT");
      expect(answer).toMatch(/^HTTP\/1\.1 400 /);
      socket.destroy();
      expect(await allKeys(slow.store)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
