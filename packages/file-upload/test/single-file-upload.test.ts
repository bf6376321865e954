import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Readable } from "node:stream";
import { httpStatusByKind, isWebrunError, toErrorBody, WebrunError } from "@webrun/errors";
import { afterEach, describe, expect, it } from "vitest";
import { receiveSingleFile, type SingleFileInfo } from "../src/index.js";
import { multipart } from "./support/multipart.js";

type Consumer = (body: Readable, info: SingleFileInfo) => Promise<unknown>;

/** node:http answering with what receiveSingleFile returned or threw. */
async function serve(consume: Consumer, maxBytes = 1024): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res) => {
    receiveSingleFile(req, { field: "file", maxBytes }, consume).then(
      (result) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify(result));
      },
      (error: unknown) => {
        const failure = isWebrunError(error)
          ? error
          : new WebrunError({ kind: "internal", code: "X", message: "x" });
        // As the API does: read the rest of the body, then answer.
        const answer = () => {
          res.writeHead(httpStatusByKind[failure.kind], { "content-type": "application/json" });
          res.end(JSON.stringify(toErrorBody(failure)));
        };
        if (req.complete) answer();
        else req.on("end", answer).resume();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function collect(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe("receiveSingleFile", () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve) ?? resolve(null));
  });

  async function post(consume: Consumer, form: { contentType: string; body: Buffer }, maxBytes?: number) {
    const started = await serve(consume, maxBytes);
    server = started.server;
    const response = await fetch(started.url, {
      method: "POST",
      headers: { "content-type": form.contentType },
      body: form.body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it("streams the first file of the field to the consumer and ignores other parts", async () => {
    const form = multipart([
      { name: "note", body: "ignored" },
      { name: "other", filename: "other.bin", body: "not this one" },
      { name: "file", filename: "profile.tar.gz", contentType: "application/gzip", body: "the bytes" },
    ]);
    const answer = await post(async (body, info) => ({ text: await collect(body), ...info }), form);
    expect(answer).toEqual({
      status: 200,
      body: { text: "the bytes", fileName: "profile.tar.gz", mimeType: "application/gzip" },
    });
  });

  it("answers `No file provided` without the field, and for a body that is not multipart", async () => {
    const consume: Consumer = async () => "never";
    expect(await post(consume, multipart([{ name: "files", filename: "a", body: "x" }]))).toMatchObject({
      status: 400,
      body: { message: "No file provided" },
    });
    expect(await post(consume, { contentType: "application/json", body: Buffer.from("{}") })).toMatchObject({
      status: 400,
      body: { message: "No file provided" },
    });
  });

  it("passes the consumer's own error through, even when it stops reading early", async () => {
    const consume: Consumer = async (body) => {
      body.once("data", () => {});
      throw new WebrunError({
        kind: "invalid_input",
        code: "NOT_OURS",
        message: "Only .tar.gz files are allowed",
      });
    };
    const form = multipart([{ name: "file", filename: "x.zip", body: Buffer.alloc(100_000, 1) }]);
    expect(await post(consume, form, 1024 * 1024)).toMatchObject({
      status: 400,
      body: { code: "NOT_OURS", message: "Only .tar.gz files are allowed" },
    });
  });

  it("refuses a file over the limit with FILE_TOO_LARGE, and the process survives a consumer that stopped listening", async () => {
    let closed = false;
    const consume: Consumer = (body) =>
      new Promise((resolve) => {
        // Reads, but listens only for 'close', never 'error': the destroy that follows must not be an unhandled error.
        body.on("data", () => {});
        body.once("close", () => {
          closed = true;
          resolve("closed");
        });
      });
    const form = multipart([{ name: "file", filename: "big.tar.gz", body: Buffer.alloc(64 * 1024, 2) }]);
    const answer = await post(consume, form, 2048);
    expect(answer).toMatchObject({ status: 413, body: { code: "FILE_TOO_LARGE" } });
    expect(closed).toBe(true);
  });
});
