import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { WebrunError } from "@webrun/errors";

/** A text field of a multipart form. */
export interface TextPart {
  name: string;
  value: string;
}

/** A file field, streamed from disk when the body is read. */
export interface FilePart {
  name: string;
  path: string;
  /** The name the server records (`originalName`). */
  filename: string;
  /** Its size now; the body's length is computed from it, and a file that changes is refused. */
  size: number;
  contentType?: string;
}

export interface MultipartBody {
  contentType: string;
  /** Exact byte length, sent as Content-Length (lets the server refuse early and the bar show a total). */
  length: number;
  body: Readable;
}

const crlf = "\r\n";

/**
 * A `multipart/form-data` body over files on disk, read one chunk at a time
 * as the request is sent: a 500 MB upload never sits in memory.
 */
export function multipartBody(parts: readonly (TextPart | FilePart)[]): MultipartBody {
  const boundary = `----webrun-${randomBytes(16).toString("hex")}`;
  const heads = parts.map((part) => Buffer.from(`--${boundary}${crlf}${partHeaders(part)}${crlf}${crlf}`));
  const values = parts.map((part) => ("value" in part ? Buffer.from(part.value) : undefined));
  const closing = Buffer.from(`--${boundary}--${crlf}`);
  let length = closing.length;
  parts.forEach((part, index) => {
    length +=
      (heads[index] as Buffer).length + ("value" in part ? (values[index] as Buffer).length : part.size) + 2;
  });

  async function* chunks(): AsyncGenerator<Buffer> {
    for (const [index, part] of parts.entries()) {
      yield heads[index] as Buffer;
      if ("value" in part) yield values[index] as Buffer;
      else yield* fileChunks(part);
      yield Buffer.from(crlf);
    }
    yield closing;
  }
  return { contentType: `multipart/form-data; boundary=${boundary}`, length, body: Readable.from(chunks()) };
}

async function* fileChunks(part: FilePart): AsyncGenerator<Buffer> {
  let read = 0;
  for await (const chunk of createReadStream(part.path)) {
    read += (chunk as Buffer).length;
    if (read > part.size) throw changedWhileUploading(part.path);
    yield chunk as Buffer;
  }
  if (read !== part.size) throw changedWhileUploading(part.path);
}

function changedWhileUploading(file: string): WebrunError {
  return new WebrunError({
    kind: "conflict",
    code: "FILE_CHANGED",
    message: `${file} changed while it was being uploaded`,
  });
}

function partHeaders(part: TextPart | FilePart): string {
  if ("value" in part) return `Content-Disposition: form-data; name="${quoted(part.name)}"`;
  return [
    `Content-Disposition: form-data; name="${quoted(part.name)}"; filename="${quoted(part.filename)}"`,
    `Content-Type: ${part.contentType ?? "application/octet-stream"}`,
  ].join(crlf);
}

/** What browsers do (HTML's multipart encoding): names travel as UTF-8 with `"`, CR and LF percent-escaped. */
function quoted(value: string): string {
  return value.replaceAll('"', "%22").replaceAll("\r", "%0D").replaceAll("\n", "%0A");
}
