import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type BlobStore, createMemoryBlobStore } from "@webrun/blob-store";
import { httpStatusByKind, isWebrunError, toErrorBody, type WebrunError } from "@webrun/errors";
import {
  createFileService,
  type FileService,
  type UploadLimits,
  type UploadResult,
} from "../../src/index.js";

export const userId = "user-1";
export const environmentId = "683a1f2e4b0c1d2e3f4a5b6c";
export const otherEnvironmentId = "683a1f2e4b0c1d2e3f4a5b6d";
export const strangersEnvironmentId = "0123456789abcdef01234567";

export interface TestServer {
  url: string;
  store: BlobStore;
  service: FileService;
  /** What the handler returned or threw, per request, in arrival order (also for clients that went away). */
  outcomes: Promise<UploadResult | WebrunError>[];
  close(): Promise<void>;
}

/** node:http with the upload handler mounted, on a random port, for unit tests that need a real request. */
export async function startInProcessServer(
  options: { store?: BlobStore; limits?: Partial<UploadLimits>; now?: () => Date } = {},
): Promise<TestServer> {
  const store = options.store ?? createMemoryBlobStore();
  const owned: Record<string, string[]> = {
    [userId]: [environmentId, otherEnvironmentId],
    stranger: [strangersEnvironmentId],
  };
  const service = createFileService({
    store,
    environments: { exists: async (user, id) => owned[user]?.includes(id) ?? false },
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  const outcomes: Promise<UploadResult | WebrunError>[] = [];
  const server: Server = createServer((req, res) => {
    const outcome = service.handleUpload(req, String(req.headers["x-user-id"] ?? userId)).catch((error) => {
      if (!isWebrunError(error)) throw error;
      return error;
    });
    outcomes.push(outcome);
    outcome.then(
      (result) => {
        const body = isWebrunError(result) ? toErrorBody(result) : result;
        const status = isWebrunError(result) ? httpStatusByKind[result.kind] : 200;
        res.writeHead(status, { "content-type": "application/json", connection: "close" });
        res.end(JSON.stringify(body));
      },
      () => res.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    store,
    service,
    outcomes,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** POSTs a body to /files/upload and returns status and parsed JSON. */
export async function post(
  url: string,
  body: Buffer,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${url}/files/upload`, {
    method: "POST",
    body,
    headers: { "content-type": contentType, ...headers },
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
