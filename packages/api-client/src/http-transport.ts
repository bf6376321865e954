import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import type { z } from "zod";
import { apiUnreachable, errorFromAnswer, unexpectedAnswer } from "./api-errors.js";
import { apiClientError } from "./errors.js";

/** A request body streamed from its source as it is sent. */
export interface StreamedBody {
  body: Readable;
  contentType: string;
  /** Sent as Content-Length when known; otherwise the body is chunked. */
  length?: number;
}

export interface RequestOptions {
  json?: unknown;
  upload?: StreamedBody;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
}

/** An answer whose body is read as a stream (archives, state documents, files). */
export interface StreamedAnswer {
  body: Readable;
  /** Content-Length of the answer, when the server sent one. */
  length?: number;
  headers: Headers;
}

/** Answers read whole (lists, records) stop at this size; documents and files stream instead. */
const maxJsonAnswerBytes = 64 * 1024 * 1024;
/** An error body is a short JSON object; more than this is not worth reading. */
const maxErrorAnswerBytes = 64 * 1024;

export interface HttpTransportOptions {
  /** The API's base URL (a path prefix is kept: `https://host/webrun`). */
  apiUrl: string;
  /** Sent only as `Authorization: Bearer …`; never part of a message. */
  apiKey: string;
  /** Where the key came from ("WEBRUN_API_KEY", a file…), named when the API refuses it. */
  keySource?: string;
  /** Tests may pass another fetch; the default is Node's (undici). */
  fetch?: typeof fetch;
}

/**
 * The wire under the typed client: joins paths to the base URL, adds the
 * key, streams bodies both ways, and turns every failure into a WebrunError
 * (the API's `{success:false, message, code}`, or "cannot reach <url>").
 */
export class HttpTransport {
  readonly apiUrl: string;
  readonly #apiKey: string;
  readonly #keySource: string | undefined;
  readonly #fetch: typeof fetch;

  constructor(options: HttpTransportOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, "");
    this.#apiKey = options.apiKey;
    this.#keySource = options.keySource;
    this.#fetch = options.fetch ?? fetch;
  }

  /**
   * Sends a request and checks its JSON answer against the contract's
   * `schema`; `what` names it in messages. The answer is returned as sent:
   * fields a newer server adds pass on (to `--json`) instead of being dropped.
   */
  async json<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    what: string,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    const response = await this.send(method, path, options, "application/json");
    const text = await this.#readText(response, maxJsonAnswerBytes, what);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw unexpectedAnswer(this.apiUrl, what, "not JSON");
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw unexpectedAnswer(this.apiUrl, what, `${issue?.path.join(".") || "answer"}: ${issue?.message}`);
    }
    return body as z.output<S>;
  }

  /** Sends a request and hands back its 2xx body as a stream; errors as for {@link json}. */
  async stream(
    method: string,
    path: string,
    options: RequestOptions = {},
    accept = "*/*",
  ): Promise<StreamedAnswer> {
    const response = await this.send(method, path, options, accept);
    const length = Number(response.headers.get("content-length") ?? Number.NaN);
    const web = response.body ?? new Blob([]).stream();
    const body = Readable.fromWeb(web as WebReadableStream<Uint8Array>);
    return { body, headers: response.headers, ...(Number.isSafeInteger(length) ? { length } : {}) };
  }

  /** Performs the request; resolves only for a 2xx answer (redirects are not followed: the key must not travel). */
  async send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
    const url = this.url(path, options.query);
    const headers: Record<string, string> = {
      accept,
      authorization: `Bearer ${this.#apiKey}`,
      ...options.headers,
    };
    let body: RequestInit["body"];
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.upload) {
      headers["content-type"] = options.upload.contentType;
      if (options.upload.length !== undefined) headers["content-length"] = String(options.upload.length);
      body = options.upload.body as unknown as RequestInit["body"];
    }
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        // Never followed: the key must not travel. Uploads say "error": with "manual" or "follow"
        // undici keeps every byte of a streamed body for a possible replay (measured: a 384 MiB
        // upload peaked at 500 MB RSS; with "error", 123 MB).
        redirect: options.upload ? "error" : "manual",
        ...(body === undefined ? {} : { body }),
        ...(options.upload ? { duplex: "half" } : {}),
      } as RequestInit);
    } catch (error) {
      options.upload?.body.destroy();
      if (isRedirectRefusal(error)) throw redirected(this.apiUrl);
      throw this.#failure(error);
    }
    if (response.status >= 200 && response.status < 300) return response;
    if (response.status >= 300 && response.status < 400) {
      throw redirected(this.apiUrl, response.status, response.headers.get("location"));
    }
    const text = await this.#readText(response, maxErrorAnswerBytes, "").catch(() => "");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    throw errorFromAnswer(response.status, parsed, this.apiUrl, this.#keySource);
  }

  url(path: string, query: RequestOptions["query"] = {}): URL {
    const url = new URL(`${this.apiUrl}${path}`);
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value));
    }
    return url;
  }

  /** A WebrunError passes through (a file that changed mid-upload); anything else is the network. */
  #failure(error: unknown): WebrunError {
    return findWebrunError(error) ?? apiUnreachable(this.apiUrl, error);
  }

  async #readText(response: Response, maxBytes: number, what: string): Promise<string> {
    if (!response.body) return "";
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        size += chunk.length;
        if (size > maxBytes) {
          await response.body.cancel().catch(() => undefined);
          throw unexpectedAnswer(this.apiUrl, what, `an answer over ${maxBytes} bytes`);
        }
        chunks.push(chunk);
      }
    } catch (error) {
      throw findWebrunError(error) ?? apiUnreachable(this.apiUrl, error);
    }
    return Buffer.concat(chunks).toString("utf8");
  }
}

/** fetch wraps what a body stream threw (a file that changed mid-upload) in its own TypeError. */
function findWebrunError(error: unknown): WebrunError | undefined {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if (isWebrunError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isRedirectRefusal(error: unknown): boolean {
  return /redirect/i.test(String((error as { cause?: { message?: unknown } }).cause?.message ?? ""));
}

function redirected(apiUrl: string, status?: number, location?: string | null): WebrunError {
  const target = location ? ` to ${new URL(location, apiUrl).origin}` : "";
  return apiClientError({
    kind: "invalid_input",
    code: "API_REDIRECT",
    message: `the webrun API at ${apiUrl} redirects${status ? ` (HTTP ${status}${target})` : ""}: give --api the final URL`,
  });
}
