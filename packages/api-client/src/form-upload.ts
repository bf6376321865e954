import { openAsBlob } from "node:fs";
import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { apiClientError } from "./errors.js";
import type { StreamedBody } from "./http-transport.js";

/** A file on disk to upload. */
export interface LocalFile {
  path: string;
  /** The name the server records (`originalName`). */
  filename: string;
  /** Its size when measured: the progress bar's total. */
  size: number;
  contentType?: string;
}

/** One field of a form: a text value, or a file streamed from disk. */
export type FormField = readonly [name: string, value: string | LocalFile];

/**
 * A `multipart/form-data` body encoded by Node's own FormData (undici), over
 * file-backed Blobs (`fs.openAsBlob`): each file is read chunk by chunk as
 * the request is sent, so a 500 MB upload never sits in memory. A file that
 * changes after it was opened fails the upload with `FILE_CHANGED`.
 */
export async function formUpload(
  fields: readonly FormField[],
): Promise<StreamedBody & { fileBytes: number }> {
  const form = new FormData();
  let fileBytes = 0;
  for (const [name, value] of fields) {
    if (typeof value === "string") {
      form.append(name, value);
      continue;
    }
    const type = value.contentType ?? "application/octet-stream";
    form.append(name, await openAsBlob(value.path, { type }), value.filename);
    fileBytes += value.size;
  }
  const encoded = new Response(form);
  const files = fields.flatMap(([, value]) => (typeof value === "string" ? [] : [value.path]));
  return {
    body: Readable.from(reportChangedFiles(encoded.body as WebReadableStream<Uint8Array>, files)),
    contentType: encoded.headers.get("content-type") as string,
    fileBytes,
  };
}

async function* reportChangedFiles(body: WebReadableStream<Uint8Array>, files: readonly string[]) {
  try {
    yield* body;
  } catch (error) {
    // A file-backed Blob refuses to read a file whose size or mtime changed since it was opened.
    if ((error as Error).name !== "NotReadableError") throw error;
    throw apiClientError({
      kind: "conflict",
      code: "FILE_CHANGED",
      message: `${files.join(", ")} changed while being uploaded`,
      cause: error,
    });
  }
}
