import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import type { WebrunError } from "@webrun/errors";
import busboy, { type Busboy, type FieldInfo, type FileInfo } from "busboy";
import type { FilesContext } from "./context.js";
import { asUploadError, uploadErrors } from "./errors.js";
import {
  assertEnvironmentExists,
  commitFileRecord,
  type IncomingFile,
  newIncomingFile,
  removeFileWrites,
  type UploadedFile,
  writeFileBlob,
} from "./file-writes.js";
import { resolveLimits, type UploadLimits } from "./limits.js";
import { type Measurement, MeasuringStream } from "./measuring-stream.js";
import { sniffBytes } from "./sniff.js";

export type { UploadedFile } from "./file-writes.js";

export interface UploadOptions extends FilesContext {
  /** The authenticated owner of the uploaded files. */
  userId: string;
  limits?: Partial<UploadLimits>;
}

/** The contract's response body: `{success:true, files:[{fileId, originalName, size}]}` (plus measured fields). */
export interface UploadResult {
  success: true;
  files: UploadedFile[];
}

/**
 * Reads one `multipart/form-data` request (repeatable `files`, optional
 * `environmentId` before or after the files) and streams every file straight
 * into the BlobStore, measuring size and SHA-256 on the way. Records are
 * written only once the whole form parsed and the environment checked out; on
 * any failure (a limit, a malformed body, a client that went away, an unknown
 * environment) every blob of the request is deleted before the promise
 * rejects with a WebrunError. The request must not have been read before.
 */
export async function handleUpload(request: IncomingMessage, options: UploadOptions): Promise<UploadResult> {
  const limits = resolveLimits(options.limits);
  const parser = openParser(request, limits);
  return new UploadRequest(request, parser, options, limits).run();
}

function openParser(request: IncomingMessage, limits: UploadLimits): Busboy {
  const contentType = request.headers["content-type"] ?? "";
  if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) throw uploadErrors.notMultipart();
  try {
    return busboy({
      headers: request.headers,
      // Browsers and curl send raw UTF-8 in filename="…"; busboy's default would read it as latin1.
      defParamCharset: "utf8",
      limits: {
        // busboy reports a limit when a value *reaches* it, so allow one byte/part more to mean "exceeds".
        fileSize: limits.maxFileBytes + 1,
        fieldSize: limits.maxFieldBytes + 1,
        parts: limits.maxParts + 1,
        files: limits.maxFiles,
        fields: limits.maxFields,
        headerPairs: limits.maxHeaderPairs,
      },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : "";
    throw uploadErrors.malformed(
      /boundary/i.test(reason) ? "no boundary in the Content-Type header" : "unreadable Content-Type header",
      error,
    );
  }
}

interface FileUpload extends IncomingFile {
  /** No filename: with no bytes either, this is an HTML form's file input left empty, not a file. */
  nameless: boolean;
  source: Readable & { truncated?: boolean };
  sink: MeasuringStream;
  stored: Promise<Measurement>;
}

class UploadRequest {
  private readonly files: FileUpload[] = [];
  private readonly abort = new AbortController();
  private readonly startedAt = Date.now();
  private readonly parsed: Promise<void>;
  private settleParsed!: (error?: WebrunError) => void;
  private failure: WebrunError | undefined;
  private environmentFieldSeen = false;
  private environmentId: string | null = null;
  private environmentCheck: Promise<void> = Promise.resolve();

  constructor(
    private readonly request: IncomingMessage,
    private readonly parser: Busboy,
    private readonly options: UploadOptions,
    private readonly limits: UploadLimits,
  ) {
    this.parsed = new Promise<void>((resolve, reject) => {
      this.settleParsed = (error) => (error ? reject(error) : resolve());
    });
    this.parsed.catch(() => {});
  }

  async run(): Promise<UploadResult> {
    const timer = setTimeout(
      () => this.fail(uploadErrors.tooSlow(this.limits.maxDurationMs)),
      this.limits.maxDurationMs,
    );
    try {
      this.listen();
      await this.parsed;
      const measured = await Promise.all(this.files.map((file) => file.stored));
      if (this.failure) throw this.failure;
      if (measured.every((measurement, index) => isEmptyInput(this.files[index], measurement)))
        throw uploadErrors.noFile();
      await this.environmentCheck;
      if (this.failure) throw this.failure;
      // A sweeper treats uploads older than this as abandoned; never commit one.
      if (Date.now() - this.startedAt > this.limits.maxDurationMs)
        throw uploadErrors.tooSlow(this.limits.maxDurationMs);
      return await this.commit(measured);
    } catch (error) {
      const failure = this.failure ?? asUploadError(error);
      this.fail(failure);
      await Promise.allSettled(this.files.map((file) => file.stored));
      await this.removeEverything();
      throw failure;
    } finally {
      clearTimeout(timer);
    }
  }

  private listen(): void {
    const { parser, request, limits } = this;
    parser.on("file", (name, source, info) => this.onFile(name, source, info));
    parser.on("field", (name, value, info) => this.onField(name, value, info));
    parser.on("filesLimit", () => this.fail(uploadErrors.tooMany("files", limits.maxFiles)));
    parser.on("fieldsLimit", () => this.fail(uploadErrors.tooMany("fields", limits.maxFields)));
    parser.on("partsLimit", () => this.fail(uploadErrors.tooMany("parts", limits.maxParts)));
    parser.on("error", (error: Error) => this.fail(uploadErrors.malformed(error.message, error)));
    parser.on("close", () => this.settleParsed());
    request.on("error", () => this.fail(uploadErrors.clientGone()));
    request.on("close", () => {
      if (!request.complete) this.fail(uploadErrors.clientGone());
    });
    request.pipe(parser);
  }

  private onFile(name: string | undefined, source: Readable, info: FileInfo): void {
    const accepted = !this.failure && this.acceptName(name) && this.acceptFileField(name);
    if (accepted) this.files.push(this.startFile(source, info));
    // busboy stalls until every file stream is consumed.
    else source.resume();
  }

  private acceptFileField(name: string | undefined): boolean {
    if (name === "files") return true;
    this.fail(uploadErrors.unexpectedFileField(name ?? ""));
    return false;
  }

  private startFile(source: Readable, info: FileInfo): FileUpload {
    const incoming = newIncomingFile(
      this.options,
      info.filename,
      info.mimeType,
      this.files.at(-1)?.createdAt,
    );
    const originalName = incoming.originalName;
    const sink = new MeasuringStream(sniffBytes);
    // Its errors reach us through the store's put (or we caused them); never as an unhandled 'error' event.
    sink.on("error", () => {});
    source.on("limit", () => this.fail(uploadErrors.fileTooLarge(originalName, this.limits.maxFileBytes)));
    source.on("error", (error) => sink.destroy(error));
    source.pipe(sink);
    const file: FileUpload = {
      ...incoming,
      nameless: !info.filename,
      source,
      sink,
      stored: Promise.resolve({ size: 0, sha256: "", head: Buffer.alloc(0) }),
    };
    file.stored = this.storeFile(file);
    file.stored.catch((error) => this.fail(asUploadError(error)));
    return file;
  }

  private async storeFile(file: FileUpload): Promise<Measurement> {
    const measurement = await writeFileBlob(
      this.options,
      this.options.userId,
      file,
      file.sink,
      this.abort.signal,
    );
    if (file.source.truncated) throw uploadErrors.fileTooLarge(file.originalName, this.limits.maxFileBytes);
    return measurement;
  }

  private onField(name: string | undefined, value: string, info: FieldInfo): void {
    if (this.failure || !this.acceptName(name)) return;
    if (info.valueTruncated) this.fail(uploadErrors.fieldTooLarge(name ?? "", this.limits.maxFieldBytes));
    else if (name === "environmentId" || name === "profileId") this.onEnvironmentId(value.trim());
    // Some clients send an empty file input as an empty text part; only real text is a mistake.
    else if (name === "files") {
      if (value !== "") this.fail(uploadErrors.filesFieldNotFile());
    } else this.fail(uploadErrors.unexpectedField(name ?? ""));
  }

  private acceptName(name: string | undefined): boolean {
    if (Buffer.byteLength(name ?? "") <= this.limits.maxFieldNameBytes) return true;
    this.fail(uploadErrors.fieldNameTooLong(this.limits.maxFieldNameBytes));
    return false;
  }

  /** Checked as soon as it arrives, so an upload to a wrong environment stops before the bytes are sent. */
  private onEnvironmentId(value: string): void {
    if (this.environmentFieldSeen) {
      this.fail(uploadErrors.duplicateEnvironmentId());
      return;
    }
    this.environmentFieldSeen = true;
    // An HTML form's empty text input means "no environment".
    if (value === "") return;
    this.environmentId = value;
    this.environmentCheck = this.checkEnvironment(value);
    this.environmentCheck.catch((error) => this.fail(asUploadError(error)));
  }

  private checkEnvironment(environmentId: string): Promise<void> {
    return assertEnvironmentExists(this.options, this.options.userId, environmentId);
  }

  private async commit(measured: Measurement[]): Promise<UploadResult> {
    const results = await Promise.allSettled(
      this.files.map((file, index) => {
        const measurement = measured[index] as Measurement;
        return isEmptyInput(file, measurement) ? this.discard(file) : this.commitFile(file, measurement);
      }),
    );
    const rejected = results.find((result) => result.status === "rejected");
    if (rejected) throw rejected.reason;
    const files = results.flatMap((result) =>
      result.status === "fulfilled" && result.value ? [result.value] : [],
    );
    return { success: true, files };
  }

  /** An empty file input: what it wrote goes (it has no record yet). */
  private async discard(file: FileUpload): Promise<undefined> {
    await removeFileWrites(this.options, this.options.userId, file, null);
    return undefined;
  }

  private commitFile(file: FileUpload, measurement: Measurement): Promise<UploadedFile> {
    const { userId } = this.options;
    return commitFileRecord(this.options, userId, file, measurement, this.environmentId, this.limits);
  }

  private fail(error: WebrunError): void {
    if (this.failure) return;
    this.failure = error;
    this.settleParsed(error);
    this.abort.abort(error);
    this.request.unpipe(this.parser);
    // Keep reading (and discarding) so the client finishes sending and can read the error response.
    this.request.resume();
    for (const file of this.files) {
      file.source.unpipe(file.sink);
      file.source.resume();
      if (!file.sink.writableFinished) file.sink.destroy(error);
    }
  }

  /** Deletes everything this request wrote. */
  private async removeEverything(): Promise<void> {
    const { userId } = this.options;
    await Promise.allSettled(
      this.files.map((file) => removeFileWrites(this.options, userId, file, this.environmentId)),
    );
  }
}

function isEmptyInput(file: FileUpload | undefined, measurement: Measurement): boolean {
  return file?.nameless === true && measurement.size === 0;
}
