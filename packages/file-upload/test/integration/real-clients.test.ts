import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListMultipartUploadsCommand } from "@aws-sdk/client-s3";
import { acquireTestS3Server, createTestBucket, testS3Client } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, submitUploadForm } from "../support/chromium.js";
import { curl, json } from "../support/curl.js";
import { sha256File, writeRandomFile } from "../support/files.js";
import { type ServerProcess, startServerProcess } from "../support/server-process.js";

const environmentId = "683a1f2e4b0c1d2e3f4a5b6c";
const MiB = 1024 * 1024;

interface Driver {
  name: string;
  /** Server environment for this driver; called once per suite. */
  setup(dir: string): Promise<{
    env: Record<string, string>;
    /** Unfinished multipart uploads the store holds (invisible to a listing, but still bytes left behind). */
    pendingMultipart(): Promise<number>;
    teardown(): Promise<void>;
  }>;
}

const drivers: Driver[] = [
  {
    name: "fs",
    setup: async (dir) => ({
      env: { STORE: "fs", FS_ROOT: join(dir, "store") },
      pendingMultipart: async () => 0,
      teardown: async () => {},
    }),
  },
  {
    name: "Ceph RGW",
    setup: async () => {
      const { server: s3, release } = await acquireTestS3Server();
      const { bucket, remove } = await createTestBucket(s3, "file-upload");
      const client = testS3Client(s3);
      return {
        env: {
          STORE: "s3",
          S3_ENDPOINT: s3.endpoint,
          S3_BUCKET: bucket,
          S3_REGION: s3.region,
          AWS_ACCESS_KEY_ID: s3.accessKeyId,
          AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
        },
        pendingMultipart: async () =>
          (await client.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads?.length ?? 0,
        teardown: async () => {
          client.destroy();
          await remove();
          await release();
        },
      };
    },
  },
];

describe.each(drivers)("real clients against the upload server on $name", (driver) => {
  let dir: string;
  let teardown: () => Promise<void> = async () => {};
  let pendingMultipart: () => Promise<number> = async () => 0;
  let server: ServerProcess;
  let small: ServerProcess;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "file-upload-it-"));
    const setup = await driver.setup(dir);
    teardown = setup.teardown;
    pendingMultipart = setup.pendingMultipart;
    const env = { ...setup.env, ENVIRONMENTS: JSON.stringify({ "user-1": [environmentId] }) };
    // One server allows the 200 MB file; the other keeps the default 100 MiB limit.
    server = await startServerProcess({ ...env, MAX_FILE_BYTES: String(256 * MiB) });
    small = await startServerProcess(env);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await small?.stop();
    await teardown();
    await rm(dir, { recursive: true, force: true });
  }, 60_000);

  async function keys(prefix = "files/"): Promise<string[]> {
    return json((await curl([`${server.url}/debug/keys?prefix=${prefix}`])).body).keys as string[];
  }

  it("curl -F: several files and an environmentId after them; list, download and ranges", async () => {
    const a = join(dir, "notes.txt");
    const b = join(dir, "résumé 履歴書.pdf");
    await writeFile(a, "plain notes\n");
    await writeFile(b, Buffer.concat([Buffer.from("%PDF-1.7\n"), randomBytes(50_000)]));
    const { status, body } = await curl([
      "-F",
      `files=@${a}`,
      "-F",
      `files=@${b};type=application/pdf`,
      "-F",
      `environmentId=${environmentId}`,
      `${server.url}/files/upload`,
    ]);
    expect(status).toBe(200);
    const files = json(body).files as Array<{
      fileId: string;
      originalName: string;
      size: number;
      sha256: string;
    }>;
    expect(files.map((f) => [f.originalName, f.size, f.sha256])).toEqual([
      ["notes.txt", 12, await sha256File(a)],
      ["résumé 履歴書.pdf", 50_009, await sha256File(b)],
    ]);
    const listed = json((await curl([`${server.url}/environments/${environmentId}/files`])).body).files;
    expect(listed).toEqual(
      expect.arrayContaining(files.map(({ fileId, originalName, size }) => ({ fileId, originalName, size }))),
    );

    const pdf = files[1] as { fileId: string };
    const downloaded = join(dir, "downloaded.pdf");
    const download = await curl([
      "-D",
      join(dir, "headers.txt"),
      "-o",
      downloaded,
      `${server.url}/files/${pdf.fileId}`,
    ]);
    expect(download.status).toBe(200);
    expect(await sha256File(downloaded)).toBe(await sha256File(b));
    const headers = (await import("node:fs/promises")).readFile(join(dir, "headers.txt"), "utf8");
    expect(await headers).toContain(
      `content-disposition: attachment; filename="r_sum_ ___.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%E5%B1%A5%E6%AD%B4%E6%9B%B8.pdf`,
    );
    expect(await headers).toContain("content-type: application/pdf");
    const range = await curl(["-r", "0-7", `${server.url}/files/${pdf.fileId}`]);
    expect([range.status, range.body]).toEqual([206, "%PDF-1.7"]);

    const removed = await curl([
      "-X",
      "DELETE",
      `${server.url}/environments/${environmentId}/files/${pdf.fileId}`,
    ]);
    expect(removed.status).toBe(200);
    expect((await curl([`${server.url}/files/${pdf.fileId}`])).status).toBe(404);
  });

  it("curl -F: a 200 MB file streams through, byte-exact", async () => {
    const big = join(dir, "big.bin");
    const sha = await writeRandomFile(big, 200_000_000);
    const { status, body } = await curl(["-F", `files=@${big}`, `${server.url}/files/upload`]);
    expect(status).toBe(200);
    const [file] = json(body).files as Array<{ fileId: string; size: number; sha256: string }>;
    expect([file?.size, file?.sha256]).toEqual([200_000_000, sha]);
    const back = join(dir, "big.back");
    await curl(["-o", back, `${server.url}/files/${file?.fileId}`]);
    expect(await sha256File(back)).toBe(sha);
    await rm(back);
  }, 180_000);

  it("curl: over the 100 MiB default a 413 names the limit and nothing is left behind", async () => {
    const before = await keys();
    const { status, body } = await curl([
      "-F",
      `files=@${join(dir, "big.bin")}`,
      `${small.url}/files/upload`,
    ]);
    expect([status, json(body).message]).toEqual([413, 'File "big.bin" exceeds the 100 MiB limit']);
    expect(await keys()).toEqual(before);
    await expect.poll(pendingMultipart, { timeout: 10_000, interval: 200 }).toBe(0);
  }, 120_000);

  it("curl: wrong fields, no boundary, wrong content type and an unknown environment get clear 4xx", async () => {
    const before = await keys();
    const a = join(dir, "notes.txt");
    const cases: Array<[string[], number, string]> = [
      [["-F", `file=@${a}`], 400, 'Unexpected file field "file": send files in the "files" field'],
      [["-F", "files=just text"], 400, 'The "files" field must carry a file, not text'],
      [
        ["-F", `files=@${a}`, "-F", "profile=x"],
        400,
        'Unexpected field "profile": expected "files" and optionally "environmentId"',
      ],
      [["-F", `environmentId=${environmentId}`], 400, "No file provided"],
      [
        ["-H", "Content-Type: multipart/form-data", "--data-binary", `@${a}`],
        400,
        "Malformed multipart body: no boundary in the Content-Type header",
      ],
      [
        ["-H", "Content-Type: application/json", "--data-binary", "{}"],
        400,
        "Expected a multipart/form-data request",
      ],
      [["-F", "environmentId=ffffffffffffffffffffffff", "-F", `files=@${a}`], 404, "Environment not found"],
      [["-F", `files=@${a}`, "-F", "environmentId=ffffffffffffffffffffffff"], 404, "Environment not found"],
    ];
    for (const [args, status, message] of cases) {
      const result = await curl([...args, `${server.url}/files/upload`]);
      expect([result.status, json(result.body).message]).toEqual([status, message]);
    }
    expect(await keys()).toEqual(before);
  });

  it("a client that stops mid-body (raw socket, or curl killed by --max-time) leaves nothing behind", async () => {
    const before = await keys();
    const boundary = "----cut";
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="cut.bin"\r\n\r\n`;
    const socket = connect(Number(new URL(server.url).port), "127.0.0.1");
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write(
      `POST /files/upload HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${20 * MiB}\r\n\r\n${head}`,
    );
    socket.write(randomBytes(5 * MiB));
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.destroy();

    const slow = await curl(
      [
        "--limit-rate",
        "2M",
        "--max-time",
        "2",
        "-F",
        `files=@${join(dir, "big.bin")}`,
        `${server.url}/files/upload`,
      ],
      30_000,
    );
    expect(slow.exitCode).toBe(28);
    await expect.poll(keys, { timeout: 10_000, interval: 200 }).toEqual(before);
    await expect.poll(pendingMultipart, { timeout: 10_000, interval: 200 }).toBe(0);
  }, 60_000);

  it("Chromium submits an HTML form with a file input (DOM.setFileInputFiles)", async () => {
    const browser = await launchChromium();
    try {
      const a = join(dir, "notes.txt");
      const b = join(dir, "résumé 履歴書.pdf");
      const text = await submitUploadForm(browser, `${server.url}/form`, environmentId, [a, b]);
      const answer = json(text);
      expect(answer.success).toBe(true);
      const files = answer.files as Array<{
        originalName: string;
        size: number;
        sha256: string;
        environmentId: string;
      }>;
      expect(files.map((f) => [f.originalName, f.size, f.sha256, f.environmentId])).toEqual([
        ["notes.txt", 12, await sha256File(a), environmentId],
        ["résumé 履歴書.pdf", 50_009, await sha256File(b), environmentId],
      ]);
      const empty = json(await submitUploadForm(browser, `${server.url}/form`, environmentId, []));
      expect(empty).toMatchObject({ success: false, message: "No file provided" });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
