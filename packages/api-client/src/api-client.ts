import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import {
  browserDataUploadedAnswerSchema,
  downloadLinkAnswerSchema,
  environmentAnswerSchema,
  environmentCreatedAnswerSchema,
  environmentDeletedAnswerSchema,
  environmentDetailAnswerSchema,
  environmentListAnswerSchema,
  fileDeletedAnswerSchema,
  fileListAnswerSchema,
  filesUploadedAnswerSchema,
  mergedSaveAnswerSchema,
  savedVersionAnswerSchema,
  versionDiffAnswerSchema,
  versionListAnswerSchema,
} from "@webrun/api-contract";
import { formUpload, type LocalFile } from "./form-upload.js";
import {
  HttpTransport,
  type HttpTransportOptions,
  type StreamedAnswer,
  type StreamedBody,
} from "./http-transport.js";

/** Lets a caller watch (or meter) a body as it is sent: returns the stream to send instead. */
export type BodyTap = (body: Readable, length: number | undefined) => Readable;

export interface SaveOptions {
  /** Save only if the head is still this version (`If-Match`); otherwise a 412 with the current one. */
  baseVersion?: number;
  tap?: BodyTap;
}

/**
 * What a merged save sends: a state document, an environment archive on disk
 * (extension and profile files included), or a body already streamed (a
 * `.json` or `.tar.gz` file with its media type).
 */
export type MergedSaveSource = { state: object } | { archiveFile: string } | { upload: StreamedBody };

export interface MergedSaveOptions {
  /** The version the state started from; `null` for an environment that had none (`?base=none`). */
  base: number | null;
  /** Drop the head's storage snapshot when this save carries none (`?snapshot=drop`). */
  dropSnapshot?: boolean;
  tap?: BodyTap;
}

const id = (value: string) => encodeURIComponent(value);

/** The form's body, watched by `tap` when given (its total: the files' bytes). */
function tapped(form: StreamedBody & { fileBytes: number }, tap: BodyTap | undefined): StreamedBody {
  return tap ? { ...form, body: tap(form.body, form.fileBytes) } : form;
}

/**
 * A typed client of the webrun API: one method per route the CLI uses,
 * answers validated with zod, bodies streamed both ways. Every failure is a
 * WebrunError: the API's own message and code for 4xx/5xx answers, and
 * `API_UNREACHABLE` (naming the URL, never the key) when it cannot be reached.
 */
export class ApiClient {
  readonly #http: HttpTransport;

  constructor(options: HttpTransportOptions) {
    this.#http = new HttpTransport(options);
  }

  /** The base URL requests go to (no trailing slash); safe to print. */
  get apiUrl(): string {
    return this.#http.apiUrl;
  }

  /** `GET /environments`: the caller's environments, newest first. */
  listEnvironments() {
    return this.#http.json(environmentListAnswerSchema, "GET", "/environments", "the environment list");
  }

  /** `POST /environments`. */
  createEnvironment(input: { name: string; description?: string }) {
    return this.#http.json(environmentCreatedAnswerSchema, "POST", "/environments", "create environment", {
      json: input,
    });
  }

  /** `GET /environments/:id`: the record, its files and kept versions. */
  getEnvironment(environmentId: string) {
    return this.#http.json(
      environmentDetailAnswerSchema,
      "GET",
      `/environments/${id(environmentId)}`,
      "inspect environment",
    );
  }

  /** `PATCH /environments/:id`: rename or re-describe. */
  updateEnvironment(environmentId: string, patch: { name?: string; description?: string }) {
    return this.#http.json(
      environmentAnswerSchema,
      "PATCH",
      `/environments/${id(environmentId)}`,
      "update environment",
      {
        json: patch,
      },
    );
  }

  /** `DELETE /environments/:id`: the environment, its browser data and its files. */
  deleteEnvironment(environmentId: string) {
    return this.#http.json(
      environmentDeletedAnswerSchema,
      "DELETE",
      `/environments/${id(environmentId)}`,
      "delete environment",
    );
  }

  /**
   * `PUT /environments/:id/state`: saves a new version from a state document
   * (`application/json`) or an environment archive (`application/gzip`).
   */
  saveState(environmentId: string, upload: StreamedBody, options: SaveOptions = {}) {
    const body = options.tap ? options.tap(upload.body, upload.length) : upload.body;
    return this.#http.json(
      savedVersionAnswerSchema,
      "PUT",
      `/environments/${id(environmentId)}/state`,
      "save state",
      {
        upload: { ...upload, body },
        ...(options.baseVersion === undefined ? {} : { headers: { "if-match": `"${options.baseVersion}"` } }),
      },
    );
  }

  /**
   * `PUT /environments/:id/state?base=<version|none>`: saves a state that
   * started from `base`, merged three-way with whatever was saved since (the
   * later save wins a unit both changed). Resolves to the receipt's `saved`
   * object and the environment as it now is; a base no longer kept is a 409
   * `MERGE_BASE_NOT_KEPT`.
   */
  async saveMergedState(environmentId: string, source: MergedSaveSource, options: MergedSaveOptions) {
    const upload = await mergedSaveBody(source);
    return this.#http.json(
      mergedSaveAnswerSchema,
      "PUT",
      `/environments/${id(environmentId)}/state`,
      "save state",
      {
        upload: options.tap ? { ...upload, body: options.tap(upload.body, upload.length) } : upload,
        query: { base: options.base ?? "none", ...(options.dropSnapshot ? { snapshot: "drop" } : {}) },
      },
    );
  }

  /** `GET /environments/:id/state`: the head (or `version`) as a state document or an environment archive. */
  openState(environmentId: string, format: "json" | "archive", version?: number): Promise<StreamedAnswer> {
    return this.#http.stream(
      "GET",
      `/environments/${id(environmentId)}/state`,
      { query: { version } },
      format === "archive" ? "application/gzip" : "application/json",
    );
  }

  /** `GET /environments/:id/versions`: kept versions, newest first. */
  listVersions(environmentId: string) {
    return this.#http.json(
      versionListAnswerSchema,
      "GET",
      `/environments/${id(environmentId)}/versions`,
      "list versions",
    );
  }

  /** `GET /environments/:id/versions/:from/diff/:to`: what changed between two kept versions, values as keyed fingerprints. */
  diffVersions(environmentId: string, from: number, to: number) {
    return this.#http.json(
      versionDiffAnswerSchema,
      "GET",
      `/environments/${id(environmentId)}/versions/${from}/diff/${to}`,
      "diff versions",
    );
  }

  /** `POST /environments/:id/versions/:version/restore`: the kept version becomes the head again, as a new version. */
  restoreVersion(environmentId: string, version: number) {
    return this.#http.json(
      savedVersionAnswerSchema,
      "POST",
      `/environments/${id(environmentId)}/versions/${version}/restore`,
      "roll back",
    );
  }

  /**
   * `POST /environments/:id/profile`: replaces the browser data with a raw
   * Chrome profile archive (a `.tar.gz` of a user-data-dir, at most 500 MB),
   * streamed from disk as the multipart field `file`.
   */
  async importProfile(environmentId: string, file: LocalFile, options: { tap?: BodyTap } = {}) {
    const form = await formUpload([["file", { ...file, contentType: "application/gzip" }]]);
    return this.#http.json(
      browserDataUploadedAnswerSchema,
      "POST",
      `/environments/${id(environmentId)}/profile`,
      "upload browser data",
      { upload: tapped(form, options.tap) },
    );
  }

  /** `GET /environments/:id/profile/download`: a link to the browser data, valid one hour, needing no key. */
  profileDownloadLink(environmentId: string) {
    return this.#http.json(
      downloadLinkAnswerSchema,
      "GET",
      `/environments/${id(environmentId)}/profile/download`,
      "the download link",
    );
  }

  /** `POST /files/upload`: files streamed from disk; with `environmentId` they persist, else they expire in 1 hour. */
  async uploadFiles(files: readonly LocalFile[], options: { environmentId?: string; tap?: BodyTap } = {}) {
    const form = await formUpload([
      // The environment first, so an unknown one is refused before any file is stored.
      ...(options.environmentId ? [["environmentId", options.environmentId] as const] : []),
      ...files.map((file) => ["files", file] as const),
    ]);
    return this.#http.json(filesUploadedAnswerSchema, "POST", "/files/upload", "upload files", {
      upload: tapped(form, options.tap),
    });
  }

  /** `GET /environments/:id/files`. */
  listFiles(environmentId: string) {
    return this.#http.json(
      fileListAnswerSchema,
      "GET",
      `/environments/${id(environmentId)}/files`,
      "list files",
    );
  }

  /** `DELETE /environments/:id/files/:fileId`. */
  deleteFile(environmentId: string, fileId: string) {
    return this.#http.json(
      fileDeletedAnswerSchema,
      "DELETE",
      `/environments/${id(environmentId)}/files/${id(fileId)}`,
      "delete file",
    );
  }

  /** `GET /files/:fileId`: the file's bytes as a stream. */
  openFile(fileId: string): Promise<StreamedAnswer> {
    return this.#http.stream("GET", `/files/${id(fileId)}`);
  }
}

/** The version a state download holds, from its ETag (`"7"`); undefined when the answer carries none. */
export function stateVersion(answer: StreamedAnswer): number | undefined {
  const version = Number(/^(?:W\/)?"?(\d+)"?$/.exec(answer.headers.get("etag") ?? "")?.[1] ?? Number.NaN);
  return Number.isSafeInteger(version) ? version : undefined;
}

async function mergedSaveBody(source: MergedSaveSource): Promise<StreamedBody> {
  if ("upload" in source) return source.upload;
  if ("state" in source) {
    const bytes = Buffer.from(JSON.stringify(source.state));
    return { body: Readable.from([bytes]), contentType: "application/json", length: bytes.length };
  }
  const { size } = await stat(source.archiveFile);
  return { body: createReadStream(source.archiveFile), contentType: "application/gzip", length: size };
}
