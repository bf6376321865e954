import { createReadStream } from "node:fs";
import { pipeline, type Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import type { WebrunError } from "@webrun/errors";
import type {
  BlobBody,
  BlobInfo,
  BlobListEntry,
  BlobObject,
  BlobStore,
  GetOptions,
  PutOptions,
} from "../blob-store.js";
import { bodyToStream } from "../body.js";
import { blobPreconditionFailed, blobRangeNotSatisfiable, blobStoreError } from "../errors.js";
import { assertValidKey, resolveRange } from "../keys.js";
import { assertValidMetadata } from "../metadata.js";
import { conditionalOutcome } from "./s3/conditional-outcome.js";
import { ByteCounter, ExactLength } from "./s3/exact-length.js";
import { type IfMatchForm, probeConditionalWrites } from "./s3/probe.js";
import { parseContentRange, rangeHeader } from "./s3/ranges.js";
import { fromS3Error, isNotFound, isUnclearOutcome, s3ErrorOf } from "./s3/s3-errors.js";
import { withSpooledFile } from "./s3/spool.js";

export interface S3BlobStoreOptions {
  bucket: string;
  region: string;
  /** A non-AWS endpoint (Ceph RGW, MinIO…); implies path-style addressing. */
  endpoint?: string;
  /** Static credentials; without them the SDK's default chain (env, profile, instance role) is used. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Prepended to every key, so several stores can share a bucket. */
  prefix?: string;
  /** Bodies of known length up to this go in one PutObject; larger or unknown-length ones use multipart (default 16 MiB). */
  singlePutMaxBytes?: number;
  /**
   * Part size of multipart uploads (default 16 MiB). Every part costs RGW a
   * round of its own: 96 MiB of unknown length went up at 136 MB/s in 8 MiB
   * parts and 179 MB/s in 16 MiB ones, two in flight either way.
   */
  partSize?: number;
  /**
   * Parts of one multipart upload in flight at once (default 2). Each holds a
   * part in memory, so this times `partSize` is the buffer one upload costs.
   */
  partConcurrency?: number;
  /** Attempts per request, with the SDK's standard exponential backoff on 5xx and throttling (default 5). */
  maxAttempts?: number;
}

/** How often a conditional put is sent again when the server failed without changing anything. */
const unclearPutAttempts = 5;

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** S3's limit for a single PutObject, which conditional puts must use (multipart ignores conditions on Ceph). */
const singlePutLimit = 5 * 1024 ** 3;

/**
 * The BlobStore on S3 (AWS, Ceph RGW, any server that honours conditional
 * writes). Opening it probes that `If-None-Match`/`If-Match` really work and
 * which `If-Match` form the server accepts; it refuses to open otherwise.
 *
 * Conditional puts always go through a single PutObject: `CompleteMultipartUpload`
 * ignores conditions on Ceph 16, so a conditional body of unknown length is
 * first spooled to a temp file to learn its length (≤ 5 GiB).
 */
export async function createS3BlobStore(options: S3BlobStoreOptions): Promise<BlobStore> {
  const config = {
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    retryMode: "standard",
    // Failures reach the caller as errors; the SDK's own console warnings (e.g. "non-retryable streaming request" on an expected 412) would only be noise.
    logger: silentLogger,
    maxAttempts: options.maxAttempts ?? 5,
  } as const;
  // Calls with an abort signal (streamed puts, multipart uploads, gets a caller may cancel).
  const client = new S3Client(config);
  // Every other call reuses one resolved middleware chain per command: building it was ~8% of the API's CPU
  // under load. The SDK drops that cache whenever a call passes options, hence a second client on the same sockets.
  const cachedClient = new S3Client({
    ...config,
    cacheMiddleware: true,
    requestHandler: client.config.requestHandler,
  });
  const { bucket } = options;
  const prefix = normalisePrefix(options.prefix);
  const singlePutMaxBytes = options.singlePutMaxBytes ?? 16 * 1024 ** 2;
  const partSize = options.partSize ?? 16 * 1024 ** 2;
  const partConcurrency = options.partConcurrency ?? 2;
  let ifMatchForm: IfMatchForm = "quoted";

  const fail = (error: unknown, operation: string, key: string): Error =>
    fromS3Error(error, operation, bucket, key);

  /** One PutObject; conditional ones whose outcome is unclear are settled by reading the object back. */
  async function putSingle(
    key: string,
    body: Buffer | Readable,
    length: number,
    options: PutOptions | undefined,
  ): Promise<{ etag: string; size: number }> {
    const conditional = options?.ifNoneMatch !== undefined || options?.ifMatch !== undefined;
    for (let attempt = 1; ; attempt++) {
      const sent = await sendPut(key, body, length, options);
      if ("etag" in sent) return sent;
      const { error } = sent;
      if (!conditional || !isUnclearOutcome(error)) throw settledPutError(key, options, error);
      if (conditionalOutcome(await head(key), options ?? {}) === "lost")
        throw blobPreconditionFailed(key, error);
      // Nothing changed: send again, if the body can be sent again.
      if (!Buffer.isBuffer(body) || attempt >= unclearPutAttempts) throw fail(error, "PutObject", key);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 50 * attempt));
    }
  }

  async function sendPut(
    key: string,
    body: Buffer | Readable,
    length: number,
    options: PutOptions | undefined,
  ): Promise<{ etag: string; size: number } | { error: unknown }> {
    // A stream body that fails (or has the wrong length) must abort the request, or S3 waits for bytes forever.
    const bodyFailed = Buffer.isBuffer(body) ? undefined : new AbortController();
    let failure: unknown;
    const input: PutObjectCommandInput = {
      ...baseParams(key, options),
      Body: Buffer.isBuffer(body)
        ? body
        : pipeline(body, new ExactLength(key, length), (error) => {
            if (error) {
              failure = error;
              bodyFailed?.abort(error);
            }
          }),
      ContentLength: length,
      ...(options?.ifNoneMatch ? { IfNoneMatch: options.ifNoneMatch } : {}),
      ...(options?.ifMatch !== undefined
        ? { IfMatch: ifMatchForm === "quoted" ? `"${options.ifMatch}"` : options.ifMatch }
        : {}),
    };
    const signals = [options?.signal, bodyFailed?.signal].filter((signal) => signal !== undefined);
    const abortSignal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      const command = new PutObjectCommand(input);
      const output = abortSignal
        ? await client.send(command, { abortSignal })
        : await cachedClient.send(command);
      return { etag: unquote(output.ETag), size: length };
    } catch (error) {
      options?.signal?.throwIfAborted();
      if (failure) throw failure;
      return { error };
    }
  }

  function settledPutError(key: string, options: PutOptions | undefined, error: unknown): Error {
    // S3 answers If-Match on a missing key with 404: for a put that is a failed precondition.
    if (options?.ifMatch !== undefined && isNotFound(error)) return blobPreconditionFailed(key, error);
    return fail(error, "PutObject", key);
  }

  async function putMultipart(key: string, body: Readable, options: PutOptions | undefined) {
    const counter = new ByteCounter();
    const upload = new Upload({
      client,
      params: { ...baseParams(key, options), Body: body.pipe(counter) },
      partSize,
      queueSize: partConcurrency,
      leavePartsOnError: false,
    });
    body.once("error", (error) => counter.destroy(error));
    const onAbort = (): void => void upload.abort().catch(() => {});
    options?.signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const output = await upload.done();
      options?.signal?.throwIfAborted();
      // Ceph 16 answers CompleteMultipartUpload without an ETag: read it back.
      const etag = unquote(output.ETag) || (await head(key))?.etag || "";
      return { etag, size: counter.bytes };
    } catch (error) {
      options?.signal?.throwIfAborted();
      throw fail(error, "multipart upload", key);
    } finally {
      options?.signal?.removeEventListener("abort", onAbort);
    }
  }

  function baseParams(key: string, options: PutOptions | undefined) {
    return {
      Bucket: bucket,
      Key: prefix + key,
      ...(options?.contentType ? { ContentType: options.contentType } : {}),
      ...(options?.metadata ? { Metadata: { ...options.metadata } } : {}),
    };
  }

  async function head(key: string): Promise<BlobInfo | undefined> {
    try {
      const output = await cachedClient.send(new HeadObjectCommand({ Bucket: bucket, Key: prefix + key }));
      return {
        key,
        size: output.ContentLength ?? 0,
        etag: unquote(output.ETag),
        lastModified: output.LastModified ?? new Date(0),
        metadata: output.Metadata ?? {},
        ...(output.ContentType ? { contentType: output.ContentType } : {}),
      };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw fail(error, "HeadObject", key);
    }
  }

  const store: BlobStore = {
    driver: "s3",

    async put(key: string, body: BlobBody, options?: PutOptions): Promise<BlobInfo> {
      assertValidKey(key);
      assertValidMetadata(options?.metadata);
      options?.signal?.throwIfAborted();
      const conditional = options?.ifNoneMatch !== undefined || options?.ifMatch !== undefined;
      let written: { etag: string; size: number };
      if (typeof body === "string" || body instanceof Uint8Array) {
        const bytes = Buffer.from(typeof body === "string" ? Buffer.from(body) : body);
        if (options?.contentLength !== undefined && options.contentLength !== bytes.length) {
          written = await putSingle(key, bodyToStream(bytes), options.contentLength, options);
        } else {
          written = await putSingle(key, bytes, bytes.length, options);
        }
      } else if (
        options?.contentLength !== undefined &&
        (options.contentLength <= singlePutMaxBytes || conditional)
      ) {
        if (options.contentLength > singlePutLimit) throw conditionalTooLarge(key);
        written = await putSingle(key, body, options.contentLength, options);
      } else if (conditional) {
        written = await withSpooledFile(body, options?.signal, (path, size) => {
          if (size > singlePutLimit) throw conditionalTooLarge(key);
          return putSingle(key, createReadStream(path), size, options);
        });
      } else {
        written = await putMultipart(key, body, options);
      }
      return {
        key,
        ...written,
        lastModified: new Date(),
        metadata: { ...options?.metadata },
        ...(options?.contentType ? { contentType: options.contentType } : {}),
      };
    },

    async get(key: string, options?: GetOptions): Promise<BlobObject> {
      assertValidKey(key);
      const range = options?.range;
      let output: GetObjectCommandOutput;
      try {
        const command = new GetObjectCommand({
          Bucket: bucket,
          Key: prefix + key,
          ...(range ? { Range: rangeHeader(range) } : {}),
        });
        output = options?.signal
          ? await client.send(command, { abortSignal: options.signal })
          : await cachedClient.send(command);
      } catch (error) {
        if (s3ErrorOf(error).status === 416) throw blobRangeNotSatisfiable(key, (await head(key))?.size ?? 0);
        throw fail(error, "GetObject", key);
      }
      const body = output.Body as Readable;
      const contentRange = parseContentRange(output.ContentRange);
      const size = contentRange?.size ?? output.ContentLength ?? 0;
      const info: BlobInfo = {
        key,
        size,
        etag: unquote(output.ETag),
        lastModified: output.LastModified ?? new Date(0),
        metadata: output.Metadata ?? {},
        ...(output.ContentType ? { contentType: output.ContentType } : {}),
      };
      if (!range) return { ...info, body };
      if (contentRange) return { ...info, body, range: { start: contentRange.start, end: contentRange.end } };
      // The server sent the whole object for a range (it does so when the range covers it all, or for an empty object).
      const resolved = resolveRange(range, size);
      if (resolved?.start !== 0 || resolved.end !== size - 1) {
        body.destroy();
        throw blobRangeNotSatisfiable(key, size);
      }
      return { ...info, body, range: resolved };
    },

    async head(key: string): Promise<BlobInfo | undefined> {
      assertValidKey(key);
      return head(key);
    },

    async delete(key: string): Promise<void> {
      assertValidKey(key);
      try {
        await cachedClient.send(new DeleteObjectCommand({ Bucket: bucket, Key: prefix + key }));
      } catch (error) {
        if (!isNotFound(error)) throw fail(error, "DeleteObject", key);
      }
    },

    async *list(listPrefix: string): AsyncIterable<BlobListEntry> {
      let continuationToken: string | undefined;
      do {
        let page: ListObjectsV2CommandOutput;
        try {
          page = await cachedClient.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: prefix + listPrefix,
              ContinuationToken: continuationToken,
            }),
          );
        } catch (error) {
          throw fail(error, "ListObjectsV2", listPrefix);
        }
        for (const object of page.Contents ?? []) {
          yield {
            key: (object.Key ?? "").slice(prefix.length),
            size: object.Size ?? 0,
            lastModified: object.LastModified ?? new Date(0),
          };
        }
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken);
    },

    async close(): Promise<void> {
      client.destroy();
      cachedClient.destroy();
    },
  };

  try {
    ifMatchForm = await probeConditionalWrites(store, (form) => {
      ifMatchForm = form;
    });
  } catch (error) {
    client.destroy();
    cachedClient.destroy();
    throw error;
  }
  return store;
}

function normalisePrefix(prefix: string | undefined): string {
  if (!prefix) return "";
  const trimmed = prefix.replace(/\/+$/, "");
  assertValidKey(trimmed);
  return `${trimmed}/`;
}

function unquote(etag: string | undefined): string {
  return (etag ?? "").replace(/^(W\/)?"|"$/g, "");
}

function conditionalTooLarge(key: string): WebrunError {
  return blobStoreError({
    kind: "too_large",
    code: "BLOB_CONDITIONAL_PUT_TOO_LARGE",
    message: `conditional put of ${key} is larger than the 5 GiB a single PutObject allows`,
  });
}
