import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import busboy, { type Busboy } from "busboy";
import { uploadErrors } from "./errors.js";
import { sanitizeFileName } from "./file-name.js";

export interface SingleFileOptions {
  /** The form field that carries the file (`file` for browser data uploads). */
  field: string;
  /** Largest accepted file, in bytes; beyond it the consumer's stream is destroyed and `FILE_TOO_LARGE` is thrown. */
  maxBytes: number;
}

/** What the client said about the file; not trusted, for messages and logs. */
export interface SingleFileInfo {
  fileName: string;
  mimeType: string;
}

/**
 * Reads one `multipart/form-data` request and hands the first file of
 * `options.field` to `consume` as a stream (nothing is buffered here); other
 * parts are drained and ignored. A request that is not multipart or carries no
 * such file → `No file provided`. The consumer's own error (e.g. "not a
 * .tar.gz") passes through unchanged, except that a size limit or a client
 * that went away wins. On failure the rest of the body is read and discarded,
 * so the client can read the error answer.
 */
export async function receiveSingleFile<T>(
  request: IncomingMessage,
  options: SingleFileOptions,
  consume: (body: Readable, info: SingleFileInfo) => Promise<T>,
): Promise<T> {
  const contentType = request.headers["content-type"] ?? "";
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) {
    request.resume();
    throw uploadErrors.noFile();
  }
  const parser = openParser(request, options.maxBytes);
  let failure: WebrunError | undefined;
  let consumed: Promise<T> | undefined;
  let active: Readable | undefined;
  let rejectParsed: (error: WebrunError) => void = () => {};
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on("close", () => resolve());
    rejectParsed = reject;
  });
  parsed.catch(() => {});
  const fail = (error: WebrunError) => {
    failure ??= error;
    rejectParsed(failure);
    request.unpipe(parser);
    request.resume();
    // The consumer must hear of it, or it waits for bytes that will never come.
    if (active && !active.readableEnded) active.destroy(failure);
  };

  parser.on("file", (name, stream: Readable, info) => {
    if (consumed !== undefined || name !== options.field || failure !== undefined) {
      stream.resume();
      return;
    }
    const fileName = sanitizeFileName(info.filename);
    active = stream;
    // Destroying it on failure must never become an unhandled 'error' (the consumer may have stopped listening).
    stream.on("error", () => {});
    stream.on("limit", () => fail(uploadErrors.fileTooLarge(fileName, options.maxBytes)));
    consumed = consume(stream, { fileName, mimeType: info.mimeType });
    consumed.then(
      // A consumer may stop at the end of its format; busboy waits until every part is read.
      () => stream.resume(),
      (error: unknown) => fail(isWebrunError(error) ? error : uploadErrors.storage(error)),
    );
  });
  parser.on("error", (error: Error) => fail(uploadErrors.malformed(error.message, error)));
  request.on("close", () => {
    if (!request.complete) fail(uploadErrors.clientGone());
  });
  request.pipe(parser);

  await parsed.catch(() => {});
  if (consumed === undefined) throw failure ?? uploadErrors.noFile();
  let result: T;
  try {
    result = await consumed;
  } catch (error) {
    throw pickFailure(failure, error);
  }
  if (failure) throw failure;
  return result;
}

/** A size limit or a vanished client explains a consumer's failure better than the consumer's own error. */
function pickFailure(failure: WebrunError | undefined, consumerError: unknown): unknown {
  if (failure && (failure.code === "FILE_TOO_LARGE" || failure.code === "UPLOAD_ABORTED")) return failure;
  return consumerError;
}

function openParser(request: IncomingMessage, maxBytes: number): Busboy {
  try {
    return busboy({
      headers: request.headers,
      defParamCharset: "utf8",
      fileHwm: 1024 * 1024,
      // busboy reports a limit when a value *reaches* it: one byte more means "exceeds".
      limits: { fileSize: maxBytes + 1, files: 5, fields: 20, parts: 25, fieldSize: 64 * 1024 },
    });
  } catch (error) {
    throw uploadErrors.malformed("no boundary in the Content-Type header", error);
  }
}
