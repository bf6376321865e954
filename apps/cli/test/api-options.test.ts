import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import { type ScriptedServer, startScriptedServer } from "@webrun/test-fixtures";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { apiClientFrom } from "../src/api-client/api-options.js";
import { minBytesForBar, trackTransfer } from "../src/progress.js";

// --api/--key/the local key, and progress bars, against a tiny node:http server whose answers each test sets.

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

function answer(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

async function failure(promise: Promise<unknown>): Promise<WebrunError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isWebrunError(error)) throw new Error(`expected a WebrunError, got ${String(error)}`);
  return error;
}

describe("API options", () => {
  it("requires a key, from --key or WEBRUN_API_KEY, and never echoes it", () => {
    const missing = (() => {
      try {
        apiClientFrom({}, { DATA_DIR: join(dir, "no-data-here") });
      } catch (error) {
        return error as WebrunError;
      }
    })();
    expect(missing).toMatchObject({ code: "API_KEY_MISSING", kind: "invalid_input" });
    expect(apiClientFrom({}, { WEBRUN_API_KEY: key }).apiUrl).toBe("http://127.0.0.1:8080");
    expect(apiClientFrom({ key }, { WEBRUN_API: "https://api.example.com/v1/" }).apiUrl).toBe(
      "https://api.example.com/v1",
    );
    expect(apiClientFrom({ api: "http://h:1", key }, { WEBRUN_API: "http://other:2" }).apiUrl).toBe(
      "http://h:1",
    );
  });

  describe("the local key `pnpm start` keeps in DATA_DIR", () => {
    const localKey = "wk_local_0123456789abcdefABCDEF";
    let dataDir: string;
    beforeAll(async () => {
      dataDir = await mkdtemp(join(dir, "data-"));
      await writeFile(join(dataDir, "local-api.key"), `${localKey}\n`, { mode: 0o600 });
    });
    const sentKey = async (options: { api?: string; key?: string }, env: NodeJS.ProcessEnv) => {
      let authorization: string | undefined;
      server.handle((request, response) => {
        authorization = request.headers.authorization;
        answer(response, 200, { success: true, environments: [] });
      });
      await apiClientFrom(options, env).listEnvironments();
      return authorization;
    };

    it("is sent to an API on this machine when no key is given", async () => {
      expect(await sentKey({}, { WEBRUN_API: apiUrl, DATA_DIR: dataDir })).toBe(`Bearer ${localKey}`);
      expect(await sentKey({ api: apiUrl }, { DATA_DIR: dataDir })).toBe(`Bearer ${localKey}`);
    });

    it("gives way to WEBRUN_API_KEY and --key", async () => {
      expect(await sentKey({}, { WEBRUN_API: apiUrl, DATA_DIR: dataDir, WEBRUN_API_KEY: key })).toBe(
        `Bearer ${key}`,
      );
      expect(await sentKey({ key: "wk_flag_key_000000" }, { WEBRUN_API: apiUrl, DATA_DIR: dataDir })).toBe(
        "Bearer wk_flag_key_000000",
      );
    });

    it("never goes to another host", () => {
      const error = (() => {
        try {
          apiClientFrom({}, { WEBRUN_API: "https://api.example.com", DATA_DIR: dataDir });
        } catch (e) {
          return e as WebrunError;
        }
      })();
      expect(error).toMatchObject({
        code: "API_KEY_MISSING",
        message: "no API key for https://api.example.com: set WEBRUN_API_KEY (or pass --key)",
      });
    });

    it("when missing, the message says how to get one; when refused, names the file, never the key", async () => {
      const empty = join(dir, "empty-data");
      const missing = (() => {
        try {
          apiClientFrom({}, { WEBRUN_API: apiUrl, DATA_DIR: empty });
        } catch (e) {
          return e as WebrunError;
        }
      })();
      expect(missing).toMatchObject({
        code: "API_KEY_MISSING",
        message: `no API key: set WEBRUN_API_KEY (or pass --key), or start the API here with \`pnpm start\` and no API_KEYS, which creates ${join(empty, "local-api.key")}`,
      });

      server.handle((_request, response) =>
        answer(response, 401, { success: false, message: "Invalid API key", code: "UNAUTHORIZED" }),
      );
      const refused = await failure(
        apiClientFrom({}, { WEBRUN_API: apiUrl, DATA_DIR: dataDir }).listEnvironments(),
      );
      expect(refused.message).toBe(
        `Invalid API key: the API at ${apiUrl} does not accept the key from ${join(dataDir, "local-api.key")}; set WEBRUN_API_KEY to one of the keys in its API_KEYS`,
      );
      expect(refused.message).not.toContain(localKey);
    });
  });

  it("refuses a URL with credentials without repeating it, and non-http schemes", () => {
    const attempt = (api: string) => {
      try {
        apiClientFrom({ api, key });
      } catch (error) {
        return error as WebrunError;
      }
      throw new Error("accepted");
    };
    const withPassword = attempt("http://user:hunter2@127.0.0.1:8080");
    expect(withPassword.code).toBe("API_URL_INVALID");
    expect(withPassword.message).not.toContain("hunter2");
    expect(attempt("ftp://127.0.0.1").code).toBe("API_URL_INVALID");
    expect(attempt("not a url").code).toBe("API_URL_INVALID");
  });
});

describe("progress bars", () => {
  const tty = () => Object.assign(new PassThrough(), { isTTY: true, columns: 100 });

  it("draw on a terminal for a large transfer and pass every byte through unchanged", async () => {
    const terminal = tty();
    let drawn = "";
    terminal.on("data", (chunk: Buffer) => {
      drawn += chunk.toString();
    });
    const data = Buffer.alloc(minBytesForBar * 2, 9);
    const tracked = trackTransfer(
      "push",
      Readable.from([data.subarray(0, minBytesForBar), data.subarray(minBytesForBar)]),
      data.length,
      terminal,
    );
    const out: Buffer[] = [];
    for await (const chunk of tracked) out.push(chunk as Buffer);
    expect(Buffer.concat(out).equals(data)).toBe(true);
    expect(drawn).toContain("push");
    expect(drawn).toContain("100%");
    expect(drawn).toContain("2.0 MiB/2.0 MiB");
  });

  it("stay silent when stderr is not a terminal, or the transfer is small", () => {
    const body = Readable.from([Buffer.alloc(10)]);
    expect(trackTransfer("push", body, minBytesForBar * 4, new PassThrough())).toBe(body);
    expect(trackTransfer("push", body, 10, tty())).toBe(body);
  });
});
