import type { Readable } from "node:stream";

/**
 * BlobStore: the one storage interface everything persists through.
 *
 * Small on purpose (put, get, head, delete, list, conditional put) so the
 * drivers (S3, a local directory, memory for unit tests) can all honour it
 * exactly; the conformance suite (`@webrun/blob-store/conformance`) is the
 * definition of "exactly". Concurrency control is optimistic: every object has an opaque
 * `etag`, and `ifMatch`/`ifNoneMatch` make a put a compare-and-swap.
 */
export interface BlobStore {
  /** Which driver this is, for diagnostics and figures. */
  readonly driver: string;

  /**
   * True when every read returns bytes this store once wrote at that key, or
   * fails (the encrypting store: each chunk is authenticated and bound to its
   * key). A caller that writes a key only once and checked the bytes when
   * writing them need not hash them again when reading.
   */
  readonly authenticatesReads?: boolean;

  /**
   * Writes a whole object. The body is streamed; its length may be unknown.
   * With `ifNoneMatch: "*"` it fails if the key exists; with `ifMatch` it
   * fails unless the current etag equals it. Either failure is a
   * `BLOB_PRECONDITION_FAILED` WebrunError and leaves the object untouched.
   * A body stream that errors leaves no object (nor a partial one) behind.
   */
  put(key: string, body: BlobBody, options?: PutOptions): Promise<BlobInfo>;

  /** Streams an object, or a byte range of it. Missing → `BLOB_NOT_FOUND`. */
  get(key: string, options?: GetOptions): Promise<BlobObject>;

  /** Size, etag and metadata without the body; `undefined` when missing. */
  head(key: string): Promise<BlobInfo | undefined>;

  /** Removes an object; removing a missing one is not an error. */
  delete(key: string): Promise<void>;

  /**
   * Every object whose key starts with `prefix`, in ascending key order (UTF-8
   * bytes, as S3), paged internally. Entries carry what a listing has without
   * a request per object: key, size and last-modified time.
   */
  list(prefix: string): AsyncIterable<BlobListEntry>;

  /** Releases sockets and handles. */
  close(): Promise<void>;
}

export type BlobBody = Readable | Uint8Array | string;

export interface PutOptions {
  /** Byte length when known; lets drivers avoid buffering and S3 use a single PutObject. */
  contentLength?: number;
  contentType?: string;
  /** Small string metadata stored with the object (ASCII keys; total ≤ 2 KiB as on S3). */
  metadata?: Readonly<Record<string, string>>;
  ifMatch?: string;
  ifNoneMatch?: "*";
  signal?: AbortSignal;
}

export type ByteRange = { start: number; end?: number } | { suffix: number };

export interface GetOptions {
  /** Inclusive byte range, as in HTTP: `{start: 0, end: 99}` is the first 100 bytes; `{suffix: 10}` the last 10. */
  range?: ByteRange;
  signal?: AbortSignal;
}

/** One object as a listing sees it. */
export interface BlobListEntry {
  key: string;
  /** Size of the whole object in bytes. */
  size: number;
  lastModified: Date;
}

export interface BlobInfo extends BlobListEntry {
  /**
   * Opaque version tag, without quotes. Compare only for equality. It changes
   * whenever the content changes; rewriting identical bytes may keep it (S3
   * etags hash the content), so a compare-and-swap compares content, not history.
   */
  etag: string;
  contentType?: string;
  metadata: Readonly<Record<string, string>>;
}

export interface BlobObject extends BlobInfo {
  body: Readable;
  /** The bytes `body` holds when a range was asked for: inclusive offsets into the object. */
  range?: { start: number; end: number };
}
