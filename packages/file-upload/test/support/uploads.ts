import type { FileService, UploadedFile } from "../../src/index.js";
import { post } from "./in-process-server.js";
import { multipart, type Part } from "./multipart.js";

/** Uploads files through the real handler and returns what it stored. */
export async function upload(
  url: string,
  files: Array<{ name: string; body: string | Buffer; disposition?: string }>,
  options: { environmentId?: string; userId?: string } = {},
): Promise<UploadedFile[]> {
  const parts: Part[] = files.map(({ name, ...file }) => ({ ...file, name: "files", filename: name }));
  if (options.environmentId) parts.push({ name: "environmentId", body: options.environmentId });
  const { body, contentType } = multipart(parts);
  const { status, json } = await post(
    url,
    body,
    contentType,
    options.userId ? { "x-user-id": options.userId } : {},
  );
  if (status !== 200) throw new Error(`upload failed: ${status} ${JSON.stringify(json)}`);
  return json.files as UploadedFile[];
}

export type { FileService };
