import type { Readable } from "node:stream";
import { z } from "zod";
import {
  HttpTransport,
  type HttpTransportOptions,
  type StreamedAnswer,
  type StreamedBody,
} from "./http-transport.js";
import { type FilePart, multipartBody } from "./multipart-body.js";
import {
  downloadLinkAnswer,
  environmentAnswer,
  environmentCreatedAnswer,
  environmentDetailAnswer,
  environmentListAnswer,
  fileListAnswer,
  fileSummarySchema,
  messageAnswer,
  savedVersionAnswer,
  versionListAnswer,
} from "./schemas.js";

/** Lets a caller watch (or meter) a body as it is sent: returns the stream to send instead. */
export type BodyTap = (body: Readable, length: number | undefined) => Readable;

/** A file on disk to upload. */
export type LocalFile = Omit<FilePart, "name">;

export interface SaveOptions {
  /** Save only if the head is still this version (`If-Match`); otherwise a 412 with the current one. */
  baseVersion?: number;
  tap?: BodyTap;
}

const uploadedFilesAnswer = z.looseObject({
  success: z.literal(true),
  files: z.array(fileSummarySchema.extend({ environmentId: z.string().nullable().optional() })),
});

const id = (value: string) => encodeURIComponent(value);

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
    return this.#http.json(environmentListAnswer, "GET", "/environments", "the environment list");
  }

  /** `POST /environments`. */
  createEnvironment(input: { name: string; description?: string }) {
    return this.#http.json(environmentCreatedAnswer, "POST", "/environments", "create environment", {
      json: input,
    });
  }

  /** `GET /environments/:id`: the record, its files and kept versions. */
  getEnvironment(environmentId: string) {
    return this.#http.json(
      environmentDetailAnswer,
      "GET",
      `/environments/${id(environmentId)}`,
      "inspect environment",
    );
  }

  /** `PATCH /environments/:id`: rename or re-describe. */
  updateEnvironment(environmentId: string, patch: { name?: string; description?: string }) {
    return this.#http.json(
      environmentAnswer,
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
      messageAnswer,
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
      savedVersionAnswer,
      "PUT",
      `/environments/${id(environmentId)}/state`,
      "save state",
      {
        upload: { ...upload, body },
        ...(options.baseVersion === undefined ? {} : { headers: { "if-match": `"${options.baseVersion}"` } }),
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
      versionListAnswer,
      "GET",
      `/environments/${id(environmentId)}/versions`,
      "list versions",
    );
  }

  /** `POST /environments/:id/versions/:version/restore`: the kept version becomes the head again, as a new version. */
  restoreVersion(environmentId: string, version: number) {
    return this.#http.json(
      savedVersionAnswer,
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
  importProfile(environmentId: string, file: LocalFile, options: { tap?: BodyTap } = {}) {
    const form = multipartBody([{ ...file, name: "file", contentType: "application/gzip" }]);
    const body = options.tap ? options.tap(form.body, form.length) : form.body;
    return this.#http.json(
      savedVersionAnswer,
      "POST",
      `/environments/${id(environmentId)}/profile`,
      "upload browser data",
      {
        upload: { body, contentType: form.contentType, length: form.length },
      },
    );
  }

  /** `GET /environments/:id/profile/download`: a link to the browser data, valid one hour, needing no key. */
  profileDownloadLink(environmentId: string) {
    return this.#http.json(
      downloadLinkAnswer,
      "GET",
      `/environments/${id(environmentId)}/profile/download`,
      "the download link",
    );
  }

  /** `POST /files/upload`: files streamed from disk; with `environmentId` they persist, else they expire in 1 hour. */
  uploadFiles(files: readonly LocalFile[], options: { environmentId?: string; tap?: BodyTap } = {}) {
    const form = multipartBody([
      // The environment first, so an unknown one is refused before any file is stored.
      ...(options.environmentId ? [{ name: "environmentId", value: options.environmentId }] : []),
      ...files.map((file) => ({ ...file, name: "files" })),
    ]);
    const body = options.tap ? options.tap(form.body, form.length) : form.body;
    return this.#http.json(uploadedFilesAnswer, "POST", "/files/upload", "upload files", {
      upload: { body, contentType: form.contentType, length: form.length },
    });
  }

  /** `GET /environments/:id/files`. */
  listFiles(environmentId: string) {
    return this.#http.json(fileListAnswer, "GET", `/environments/${id(environmentId)}/files`, "list files");
  }

  /** `DELETE /environments/:id/files/:fileId`. */
  deleteFile(environmentId: string, fileId: string) {
    return this.#http.json(
      messageAnswer,
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
