import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { FilesContext } from "./context.js";
import { asUploadError, uploadErrors } from "./errors.js";
import {
  assertEnvironmentExists,
  commitFileRecord,
  newIncomingFile,
  removeFileWrites,
  type UploadedFile,
  writeFileBlob,
} from "./file-writes.js";
import { resolveLimits, type UploadLimits } from "./limits.js";
import { MeasuringStream } from "./measuring-stream.js";
import { sniffBytes } from "./sniff.js";

export interface StoreFileInput {
  /** The file's name; sanitised exactly like an upload's. */
  name: string;
  body: Readable;
  /** What the source says the bytes are; the stored type is sniffed from them first. */
  contentType?: string;
  /** Attach to this environment (checked first); without it the file is an orphan, swept after an hour. */
  environmentId?: string | null;
}

export interface StoreFileOptions extends FilesContext {
  limits?: Partial<UploadLimits>;
}

/**
 * Stores one file from a stream, without an HTTP request (a session's
 * download, say): the same naming, size limit (`maxFileBytes`), measuring,
 * records and clean-up as a multipart upload, through the same writes. On
 * any failure everything it wrote is deleted before the promise rejects.
 */
export async function storeFile(
  options: StoreFileOptions,
  userId: string,
  input: StoreFileInput,
): Promise<UploadedFile> {
  const limits = resolveLimits(options.limits);
  const environmentId = input.environmentId ?? null;
  if (environmentId !== null) await assertEnvironmentExists(options, userId, environmentId);
  const file = newIncomingFile(options, input.name, input.contentType);
  const sink = new MeasuringStream(sniffBytes, {
    maxBytes: limits.maxFileBytes,
    tooLarge: () => uploadErrors.fileTooLarge(file.originalName, limits.maxFileBytes),
  });
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(uploadErrors.tooSlow(limits.maxDurationMs)),
    limits.maxDurationMs,
  );
  const flowing = pipeline(input.body, sink, { signal: abort.signal });
  flowing.catch((error: unknown) => abort.abort(error));
  try {
    const [measurement] = await Promise.all([
      writeFileBlob(options, userId, file, sink, abort.signal),
      flowing,
    ]);
    return await commitFileRecord(options, userId, file, measurement, environmentId, limits);
  } catch (error) {
    abort.abort(error);
    await removeFileWrites(options, userId, file, environmentId).catch(() => {});
    throw asUploadError(abort.signal.reason ?? error);
  } finally {
    clearTimeout(timer);
  }
}
