// The reference server the integration tests and the benchmark run as a separate
// process: node:http with the upload handler mounted as the API app will mount it.
// Configured by environment variables; prints one JSON line {"url","pid"} when listening.
//   STORE=memory|fs|s3   FS_ROOT=<dir>   S3_ENDPOINT S3_BUCKET S3_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
//   ENVIRONMENTS='{"user-1":["<24 hex>",…]}'   MAX_FILE_BYTES=<n>
import { createServer } from "node:http";
import { pipeline } from "node:stream/promises";
import { createFsBlobStore, createMemoryBlobStore } from "@webrun/blob-store";
import { createS3BlobStore } from "@webrun/blob-store/s3";
import { httpStatusByKind, isWebrunError, toErrorBody } from "@webrun/errors";
import { createFileService, drainRequest } from "../dist/index.js";

const store = await openStore();
const owned = JSON.parse(process.env.ENVIRONMENTS ?? "{}");
const environments = { exists: async (userId, id) => (owned[userId] ?? []).includes(id) };
const limits = process.env.MAX_FILE_BYTES ? { maxFileBytes: Number(process.env.MAX_FILE_BYTES) } : {};
const files = createFileService({ store, environments, limits });

const form = `<!doctype html><meta charset="utf-8"><title>upload</title>
<form id="upload" method="post" action="/files/upload" enctype="multipart/form-data">
  <input type="text" name="environmentId" id="environmentId">
  <input type="file" name="files" id="files" multiple>
  <button type="submit">Upload</button>
</form>`;

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  const userId = String(req.headers["x-user-id"] ?? "user-1");
  const parts = url.pathname.split("/").filter(Boolean);
  try {
    if (req.method === "POST" && url.pathname === "/files/upload") {
      return sendJson(res, 200, await files.handleUpload(req, userId));
    }
    if (req.method === "GET" && parts[0] === "files" && parts.length === 2) {
      const download = await files.openFileDownload(userId, parts[1], req.headers.range);
      res.writeHead(download.status, download.headers);
      return await pipeline(download.body, res);
    }
    if (parts[0] === "environments" && parts[2] === "files") {
      if (req.method === "GET" && parts.length === 3)
        return sendJson(res, 200, {
          success: true,
          files: await files.listEnvironmentFiles(userId, parts[1]),
        });
      if (req.method === "DELETE" && parts.length === 4) {
        await files.deleteFile(userId, parts[1], parts[3]);
        return sendJson(res, 200, { success: true });
      }
    }
    if (req.method === "PUT" && parts[0] === "raw" && parts.length === 2) {
      // The bench's baseline over the same HTTP path: the body straight into the store.
      const length = Number(req.headers["content-length"]);
      const info = await store.put(`bench/raw/${parts[1]}`, req, { contentLength: length });
      return sendJson(res, 200, { size: info.size });
    }
    if (req.method === "GET" && url.pathname === "/form") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      return res.end(form);
    }
    if (req.method === "GET" && url.pathname === "/debug/keys") {
      const keys = [];
      for await (const info of store.list(url.searchParams.get("prefix") ?? "")) keys.push(info.key);
      return sendJson(res, 200, { keys });
    }
    sendJson(res, 404, { success: false, message: "Not found" });
  } catch (error) {
    if (!isWebrunError(error)) console.error(error);
    if (res.headersSent) return res.destroy();
    const status = isWebrunError(error) ? httpStatusByKind[error.kind] : 500;
    const body = isWebrunError(error) ? toErrorBody(error) : { success: false, message: "Internal error" };
    // The body may not have been read to its end: read the rest, then close rather than keep a half-read connection.
    await drainRequest(req);
    res.setHeader("connection", "close");
    sendJson(res, status, body);
  }
});

function sendJson(res, status, body) {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

async function openStore() {
  switch (process.env.STORE ?? "memory") {
    case "memory":
      return createMemoryBlobStore();
    case "fs":
      return createFsBlobStore({ root: process.env.FS_ROOT });
    case "s3":
      return createS3BlobStore({
        endpoint: process.env.S3_ENDPOINT,
        bucket: process.env.S3_BUCKET,
        region: process.env.S3_REGION ?? "us-east-1",
        credentials: {
          accessKeyId: process.env.AWS_ACCESS_KEY_ID,
          secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
        },
      });
    default:
      throw new Error(`unknown STORE ${process.env.STORE}`);
  }
}

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid }));
});
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
    store.close().finally(() => process.exit(0));
  });
}
