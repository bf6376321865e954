import type { FileHandle } from "node:fs/promises";
import type { BlobInfo } from "../../blob-store.js";

/*
 * One object is one file: the body, then a JSON record (key, etag, size,
 * content type, metadata, time), then the record's byte length (4 bytes,
 * big endian) and a magic. Body and metadata are therefore replaced by one
 * atomic rename; the record goes last because the etag hashes the body.
 */

const magic = Buffer.from("WRBLOB01");
const footerLength = 4 + magic.length;

interface Record {
  key: string;
  size: number;
  etag: string;
  lastModified: number;
  contentType?: string;
  metadata: { [name: string]: string };
}

export function encodeRecord(info: BlobInfo): Buffer {
  const record: Record = {
    key: info.key,
    size: info.size,
    etag: info.etag,
    lastModified: info.lastModified.getTime(),
    metadata: { ...info.metadata },
    ...(info.contentType !== undefined ? { contentType: info.contentType } : {}),
  };
  const json = Buffer.from(JSON.stringify(record));
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([json, length, magic]);
}

/** Reads the record at the end of an open object file. */
export async function readRecord(handle: FileHandle): Promise<BlobInfo> {
  const { size: fileSize } = await handle.stat();
  const footer = Buffer.alloc(footerLength);
  if (fileSize < footerLength) throw new Error("object file truncated");
  await handle.read(footer, 0, footerLength, fileSize - footerLength);
  if (!footer.subarray(4).equals(magic)) throw new Error("object file has no record");
  const jsonLength = footer.readUInt32BE(0);
  const json = Buffer.alloc(jsonLength);
  await handle.read(json, 0, jsonLength, fileSize - footerLength - jsonLength);
  const record = JSON.parse(json.toString("utf8")) as Record;
  if (record.size !== fileSize - footerLength - jsonLength)
    throw new Error("object file size does not match its record");
  return {
    key: record.key,
    size: record.size,
    etag: record.etag,
    lastModified: new Date(record.lastModified),
    metadata: record.metadata,
    ...(record.contentType !== undefined ? { contentType: record.contentType } : {}),
  };
}
