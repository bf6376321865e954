import { once } from "node:events";
import { mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { exitCodeForKind, isWebrunError, type WebrunError } from "@webrun/errors";
import { type ScriptedServer, startScriptedServer } from "@webrun/test-fixtures";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, stateVersion } from "../src/api-client.js";
import { formUpload } from "../src/form-upload.js";

// The client against a tiny node:http server whose answers each test sets:
// what goes on the wire (key, bodies, streaming) and how answers become errors.

const key = "wk_test_SECRET_4242";
let server: ScriptedServer;
let apiUrl: string;
let dir: string;

beforeAll(async () => {
  server = await startScriptedServer();
  apiUrl = server.url;
  dir = await mkdtemp(join(tmpdir(), "webrun-client-"));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

afterEach(() => server.reset());

const client = () => new ApiClient({ apiUrl, apiKey: key });
const environment = {
  _id: "683a1f2e4b0c1d2e3f4a5b6c",
  userId: "alice",
  name: "work",
  description: "",
  status: "empty",
  createdAt: "2026-11-23T18:00:00.000Z",
  updatedAt: "2026-11-23T18:00:00.000Z",
  blobSize: null,
  blobUploadedAt: null,
  lastUsedAt: null,
  usageCount: 0,
  version: null,
  summary: null,
};

function answer(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function failure(promise: Promise<unknown>): Promise<WebrunError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isWebrunError(error)) throw new Error(`expected a WebrunError, got ${String(error)}`);
  return error;
}

describe("ApiClient requests", () => {
  it("sends the key as a Bearer header and JSON bodies, and returns the validated answer", async () => {
    let seen: { method?: string; url?: string; auth?: string; type?: string; body?: string } = {};
    server.handle(async (request, response) => {
      seen = {
        method: request.method,
        url: request.url,
        auth: request.headers.authorization,
        type: request.headers["content-type"],
        body: await readBody(request),
      };
      answer(response, 201, { success: true, message: "Environment created", environment, extra: 1 });
    });
    const created = await client().createEnvironment({ name: "work", description: "d" });
    expect(seen).toEqual({
      method: "POST",
      url: "/environments",
      auth: `Bearer ${key}`,
      type: "application/json",
      body: '{"name":"work","description":"d"}',
    });
    expect(created.environment._id).toBe(environment._id);
    // Fields a newer server adds pass through to --json output.
    expect(created).toMatchObject({ extra: 1 });
  });

  it("keeps a path prefix of the API URL and escapes ids", async () => {
    let url: string | undefined;
    server.handle((request, response) => {
      url = request.url;
      answer(response, 200, { success: true, files: [] });
    });
    await new ApiClient({ apiUrl: `${apiUrl}/webrun/`, apiKey: key }).listFiles("a/b?c");
    expect(url).toBe("/webrun/environments/a%2Fb%3Fc/files");
  });

  it("turns a {success:false} answer into a WebrunError with its message, code, issues and details (exit 1)", async () => {
    server.handle((_request, response) =>
      answer(response, 412, {
        success: false,
        message: "The environment was saved by someone else",
        code: "VERSION_CONFLICT",
        details: { currentVersion: 7 },
      }),
    );
    const error = await failure(client().restoreVersion(environment._id, 2));
    expect(error).toMatchObject({
      kind: "precondition_failed",
      code: "VERSION_CONFLICT",
      message: "The environment was saved by someone else",
      details: { status: 412, currentVersion: 7 },
    });
    expect(exitCodeForKind(error.kind)).toBe(1);

    server.handle((_request, response) =>
      answer(response, 400, {
        success: false,
        message: "Environment name is required",
        code: "REQUEST_INVALID",
        issues: [{ path: "body.name", message: "Environment name is required" }],
      }),
    );
    const invalid = await failure(client().createEnvironment({ name: "" }));
    expect(invalid).toMatchObject({ kind: "invalid_input", code: "REQUEST_INVALID" });
    expect(invalid.issues).toEqual([{ path: "body.name", message: "Environment name is required" }]);

    server.handle((_request, response) =>
      answer(response, 404, { success: false, message: "Environment not found" }),
    );
    const missing = await failure(client().deleteEnvironment("nope"));
    expect(missing).toMatchObject({ kind: "not_found", message: "Environment not found", code: "HTTP_404" });
  });

  it.each([
    ["ENVIRONMENT_NOT_FOUND", "Environment not found", "`webrun-env env list` shows your environments"],
    ["VERSION_NOT_FOUND", "Version 9 not found", "`webrun-env env versions <id>` lists the versions kept"],
    ["FILE_NOT_FOUND", "File not found", "`webrun-env files list --env <id>` lists an environment's files"],
  ])("an unknown id (%s) says where to find the right one", async (code, message, nextStep) => {
    server.handle((_request, response) => answer(response, 404, { success: false, message, code }));
    const error = await failure(client().getEnvironment("683a1f2e4b0c1d2e3f4a5b6c"));
    expect(error).toMatchObject({ kind: "not_found", code, message: `${message}: ${nextStep}` });
  });

  it("a refused key names where it came from and what to set, never the key", async () => {
    server.handle((_request, response) =>
      answer(response, 401, { success: false, message: "Invalid API key", code: "UNAUTHORIZED" }),
    );
    const error = await failure(
      new ApiClient({ apiUrl, apiKey: key, keySource: "WEBRUN_API_KEY" }).listEnvironments(),
    );
    expect(error).toMatchObject({ kind: "unauthorized", code: "UNAUTHORIZED" });
    expect(error.message).toBe(
      `Invalid API key: the API at ${apiUrl} does not accept the key from WEBRUN_API_KEY; set WEBRUN_API_KEY to one of the keys in its API_KEYS`,
    );
    expect(error.message).not.toContain(key);
  });

  it("reports a server failure as internal (exit 2), naming the API URL and never the key", async () => {
    server.handle((_request, response) =>
      answer(response, 500, { success: false, message: "boom", code: "INTERNAL" }),
    );
    const error = await failure(client().listEnvironments());
    expect(error.kind).toBe("internal");
    expect(exitCodeForKind(error.kind)).toBe(2);
    expect(error.message).toBe(`the webrun API at ${apiUrl} failed (HTTP 500): boom`);

    server.handle((_request, response) =>
      response.writeHead(502, { "content-type": "text/html" }).end("<h1>bad gateway</h1>"),
    );
    const gateway = await failure(client().listEnvironments());
    expect(gateway).toMatchObject({ kind: "internal", code: "HTTP_502" });
    expect(gateway.message).toBe(`the webrun API at ${apiUrl} failed (HTTP 502)`);

    server.handle((_request, response) =>
      answer(response, 503, { success: false, message: "Storage unavailable" }),
    );
    expect((await failure(client().listEnvironments())).kind).toBe("unavailable");
    for (const e of [error, gateway])
      expect(JSON.stringify({ m: e.message, d: e.details })).not.toContain(key);
  });

  it("refuses a 2xx answer that is not what the route documents", async () => {
    server.handle((_request, response) =>
      answer(response, 200, { success: true, environments: [{ _id: "x" }] }),
    );
    const error = await failure(client().listEnvironments());
    expect(error).toMatchObject({ kind: "internal", code: "API_ANSWER_INVALID" });
    expect(error.message).toContain("environments.0._id");

    server.handle((_request, response) => response.writeHead(200).end("<html>"));
    expect((await failure(client().listEnvironments())).message).toContain("not JSON");
  });

  it("names the URL when the API cannot be reached (exit 2), never the key", async () => {
    const closed = http.createServer();
    closed.listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, "close");
    const error = await failure(
      new ApiClient({ apiUrl: `http://127.0.0.1:${port}`, apiKey: key }).listEnvironments(),
    );
    expect(error).toMatchObject({ kind: "unavailable", code: "API_UNREACHABLE" });
    expect(error.message).toBe(
      `cannot reach the webrun API at http://127.0.0.1:${port}: connection refused; start it with \`PORT=${port} pnpm start\``,
    );
    expect(exitCodeForKind(error.kind)).toBe(2);

    const remote = await failure(
      new ApiClient({ apiUrl: "http://webrun.invalid", apiKey: key }).listEnvironments(),
    );
    expect(remote.message).toMatch(
      /^cannot reach the webrun API at http:\/\/webrun\.invalid: .+; check --api \(or WEBRUN_API\) and that the server is running$/,
    );
  });

  it("does not follow a redirect: the key must not travel to another host", async () => {
    let reachedTarget = false;
    const target = http.createServer((_request, response) => {
      reachedTarget = true;
      response.end("{}");
    });
    target.listen(0, "127.0.0.1");
    await once(target, "listening");
    const targetUrl = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    server.handle((_request, response) =>
      response.writeHead(302, { location: `${targetUrl}/environments` }).end(),
    );
    const error = await failure(client().listEnvironments());
    expect(error).toMatchObject({ kind: "invalid_input", code: "API_REDIRECT" });
    expect(error.message).toContain(targetUrl);
    // Uploads refuse redirects inside fetch (so it keeps no copy of the body): same error.
    const upload = await failure(
      client().saveState("e1", { body: Readable.from([Buffer.from("{}")]), contentType: "application/json" }),
    );
    target.close();
    expect(upload).toMatchObject({ kind: "invalid_input", code: "API_REDIRECT" });
    expect(reachedTarget).toBe(false);
  });
});

describe("ApiClient streams", () => {
  it("sends an upload while it is still being produced (never buffered whole), with its Content-Length", async () => {
    let firstChunkArrived!: () => void;
    const arrived = new Promise<void>((resolve) => {
      firstChunkArrived = resolve;
    });
    let received = 0;
    let contentLength: string | undefined;
    server.handle((request, response) => {
      contentLength = request.headers["content-length"];
      request.on("data", (chunk: Buffer) => {
        received += chunk.length;
        firstChunkArrived();
      });
      request.on("end", () =>
        answer(response, 200, {
          success: true,
          version: 1,
          bytesUploaded: received,
          summary: {
            cookies: 0,
            cookieDomains: [],
            origins: [],
            originCount: 0,
            extensions: [],
            stateBytes: received,
            extensionBytes: 0,
            profileFiles: 0,
            profileBytes: 0,
            totalBytes: received,
          },
          environment,
        }),
      );
    });
    const chunk = Buffer.alloc(256 * 1024, 7);
    // The second chunk is produced only once the server has the first: a client that buffered would hang here.
    async function* source() {
      yield chunk;
      await arrived;
      yield chunk;
    }
    const saved = await client().saveState(environment._id, {
      body: Readable.from(source()),
      contentType: "application/gzip",
      length: chunk.length * 2,
    });
    expect(received).toBe(chunk.length * 2);
    expect(contentLength).toBe(String(chunk.length * 2));
    expect(saved.summary.totalBytes).toBe(chunk.length * 2);
  });

  it("hands a download over as it arrives, with the answer's length", async () => {
    const first = Buffer.alloc(64 * 1024, 1);
    let clientRead!: () => void;
    const read = new Promise<void>((resolve) => {
      clientRead = resolve;
    });
    server.handle(async (_request, response) => {
      response.writeHead(200, {
        "content-type": "application/gzip",
        "content-length": String(first.length * 2),
      });
      response.write(first);
      // The rest is sent only once the client has consumed the first part.
      await read;
      response.end(first);
    });
    const download = await client().openState(environment._id, "archive");
    expect(download.length).toBe(first.length * 2);
    let total = 0;
    for await (const piece of download.body) {
      total += (piece as Buffer).length;
      if (total >= first.length) clientRead();
    }
    expect(total).toBe(first.length * 2);
  });

  it("asks for an archive or a state document, and a kept version", async () => {
    let seen: { accept?: string; url?: string } = {};
    server.handle((request, response) => {
      seen = { accept: request.headers.accept, url: request.url };
      response.end("{}");
    });
    await (await client().openState("e1", "archive", 3)).body.resume();
    expect(seen).toEqual({ accept: "application/gzip", url: "/environments/e1/state?version=3" });
    await (await client().openState("e1", "json")).body.resume();
    expect(seen).toEqual({ accept: "application/json", url: "/environments/e1/state" });
  });

  it("reads the version a state download holds from its ETag", async () => {
    server.handle((_request, response) => response.writeHead(200, { etag: '"7"' }).end("{}"));
    const answer = await client().openState("e1", "json");
    answer.body.resume();
    expect(stateVersion(answer)).toBe(7);
    server.handle((_request, response) => response.end("{}"));
    const untagged = await client().openState("e1", "json");
    untagged.body.resume();
    expect(stateVersion(untagged)).toBeUndefined();
  });

  it("reports a download cut off mid-way as the network failing", async () => {
    server.handle((_request, response) => {
      response.writeHead(200, { "content-length": "1000000" });
      response.write(Buffer.alloc(1000));
      setTimeout(() => response.socket?.destroy(), 20);
    });
    const download = await client().openFile("f1");
    const error = await new Promise<unknown>((resolve) => {
      download.body.on("error", resolve).resume();
    });
    expect(error).toBeInstanceOf(Error);
  });
});

describe("multipart bodies", () => {
  it("stream files from disk through Node's FormData, escaping names like browsers do", async () => {
    const a = join(dir, "a.txt");
    const b = join(dir, "b.bin");
    await writeFile(a, "hello");
    await writeFile(b, Buffer.alloc(100_000, 3));
    const form = await formUpload([
      ["environmentId", environment._id],
      ["files", { path: a, filename: 'we"ird\r\nnäme.txt', size: 5 }],
      ["files", { path: b, filename: "b.bin", size: 100_000 }],
    ]);
    expect(form.fileBytes).toBe(100_005);
    const chunks: Buffer[] = [];
    for await (const chunk of form.body) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const boundary = /boundary=(.+)$/.exec(form.contentType)?.[1];
    const text = bytes.toString("latin1");
    expect(
      text.startsWith(`--${boundary}\r\nContent-Disposition: form-data; name="environmentId"\r\n\r\n`),
    ).toBe(true);
    expect(bytes.toString("utf8")).toContain('filename="we%22ird%0D%0Anäme.txt"');
    expect(bytes.includes(Buffer.alloc(100_000, 3))).toBe(true);
    expect(text.endsWith(`\r\n--${boundary}--\r\n`)).toBe(true);
  });

  it("refuses a file that changed after it was opened", async () => {
    const file = join(dir, "shrinks.bin");
    await writeFile(file, Buffer.alloc(1000));
    const form = await formUpload([["files", { path: file, filename: "shrinks.bin", size: 1000 }]]);
    await truncate(file, 10);
    const error = await failure(
      (async () => {
        for await (const _ of form.body);
      })(),
    );
    expect(error.code).toBe("FILE_CHANGED");
    expect(error.message).toContain(file);
  });
});

describe("merged saves", () => {
  const saved = {
    version: 4,
    baseVersion: 2,
    merged: true,
    mergedWith: [3],
    conflicts: 1,
    changes: {
      cookies: { added: 1, changed: 0, removed: 0 },
      origins: { added: 0, changed: 1, removed: 0 },
      extensions: { added: 0, changed: 0, removed: 0 },
    },
    dropped: { expiredCookies: 0, indexedDbRecordsWithoutStore: 0, extensionStorageWithoutExtension: 0 },
    snapshot: {
      outcome: "kept",
      reason: "this save carried no storage snapshot: the head's is kept as it was",
    },
  };
  const summary = {
    cookies: 1,
    cookieDomains: ["example.com"],
    origins: ["https://example.com"],
    originCount: 1,
    extensions: [],
    stateBytes: 10,
    extensionBytes: 0,
    profileFiles: 0,
    profileBytes: 0,
    totalBytes: 10,
  };
  let seen: { method?: string; url?: string; type?: string; length?: string; body?: string };
  const recordAndAnswer = (savedAnswer: unknown) => {
    server.handle(async (request, response) => {
      seen = {
        method: request.method,
        url: request.url,
        type: request.headers["content-type"],
        length: request.headers["content-length"],
        body: await readBody(request),
      };
      answer(response, 200, { success: true, saved: savedAnswer, summary, environment });
    });
  };

  it("send a state document with ?base= and hand back the receipt's saved object", async () => {
    recordAndAnswer(saved);
    const state = { version: 1, cookies: [], origins: [] };
    const result = await client().saveMergedState("e1", { state }, { base: 2 });
    expect(result.saved).toEqual(saved);
    expect(seen).toEqual({
      method: "PUT",
      url: "/environments/e1/state?base=2",
      type: "application/json",
      length: String(JSON.stringify(state).length),
      body: JSON.stringify(state),
    });
  });

  it("send an archive from disk, and base=none for an environment that had no version", async () => {
    recordAndAnswer({ ...saved, version: 1, baseVersion: null, merged: false, mergedWith: [] });
    const archive = join(dir, "environment.tar.gz");
    await writeFile(archive, "gzip bytes");
    await client().saveMergedState("e1", { archiveFile: archive }, { base: null });
    expect(seen).toMatchObject({
      url: "/environments/e1/state?base=none",
      type: "application/gzip",
      length: "10",
      body: "gzip bytes",
    });
  });

  it("send a body streamed by the caller as it is", async () => {
    recordAndAnswer(saved);
    const upload = { body: Readable.from([Buffer.from("{}")]), contentType: "application/json", length: 2 };
    await client().saveMergedState("e1", { upload }, { base: 3 });
    expect(seen).toMatchObject({
      url: "/environments/e1/state?base=3",
      type: "application/json",
      body: "{}",
    });
  });

  it("refuse an answer without the saved object (a server that replaced instead of merging)", async () => {
    recordAndAnswer(undefined);
    const error = await failure(client().saveMergedState("e1", { state: {} }, { base: 1 }));
    expect(error.code).toBe("API_ANSWER_INVALID");
    expect(error.message).toContain("saved");
  });
});
