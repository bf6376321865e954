import { randomBytes } from "node:crypto";

export interface Part {
  name: string;
  /** Present → a file part. */
  filename?: string;
  contentType?: string;
  /** Replaces the generated Content-Disposition value, to send what no well-behaved client would. */
  disposition?: string;
  body: string | Buffer;
}

/** A multipart/form-data body built byte by byte, so tests control exactly what the parser sees. */
export function multipart(parts: Part[]): { contentType: string; body: Buffer; boundary: string } {
  const boundary = `----webrun${randomBytes(8).toString("hex")}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      part.filename === undefined
        ? `form-data; name="${part.name}"`
        : `form-data; name="${part.name}"; filename="${part.filename}"`;
    const headers = [`Content-Disposition: ${part.disposition ?? disposition}`];
    if (part.contentType) headers.push(`Content-Type: ${part.contentType}`);
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join("\r\n")}\r\n\r\n`));
    chunks.push(Buffer.isBuffer(part.body) ? part.body : Buffer.from(part.body));
    chunks.push(Buffer.from("\r\n"));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks), boundary };
}
