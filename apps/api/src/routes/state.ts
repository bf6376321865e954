import {
  environmentParamsSchema,
  errorAnswerSchema,
  type MergedSave,
  mergedSaveAnswerSchema,
  restoreParamsSchema,
  savedVersionAnswerSchema,
  stateDocumentSchema,
  stateQuerySchema,
  stateSaveQuerySchema,
  versionDiffAnswerSchema,
  versionDiffParamsSchema,
  versionListAnswerSchema,
} from "@webrun/api-contract";
import type { MergeSaveResult, SaveResult } from "@webrun/env-store";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { apiError } from "../errors.js";
import { binarySchema } from "./binary.js";
import { callerOf, environmentNotFound, type RouteDeps, unauthorized, type ZodApp } from "./common.js";
import { documentStreamedBody } from "./streamed-body.js";

/** A state document with 10,000 cookies and 1,000 origins fits comfortably; archives stream and are not bound by this. */
const STATE_JSON_LIMIT = 64 * 1024 * 1024;

const conflict = errorAnswerSchema.describe(
  "`If-Match` named a version that is no longer the head (`details.currentVersion`)",
);

/**
 * Versioned browser state. The head version is the state's ETag (`"3"`):
 * `If-Match: "3"` saves only when the head is still 3, `If-None-Match: *`
 * only when nothing was saved yet; otherwise 412 with the current version.
 * `?base=3` (or `none`) is a session's save: merged into whatever was saved
 * since version 3 instead of refused or overwritten.
 */
export function stateRoutes(app: ZodApp, { services }: RouteDeps): void {
  const { environments } = services;
  const tags = ["state"];

  app.put("/environments/:id/state", {
    schema: {
      summary: "Save a new version: a state document (JSON) or an environment archive (.tar.gz)",
      tags,
      params: environmentParamsSchema,
      querystring: stateSaveQuerySchema,
      response: {
        200: z
          .union([savedVersionAnswerSchema, mergedSaveAnswerSchema])
          .describe("Saved; with `?base`, the merged save's receipt (`saved`)"),
        400: errorAnswerSchema.describe(
          "Invalid state or archive; `?base` with `If-Match` or `If-None-Match`; `?snapshot` without `?base`; a merged archive with profile files other than `profile/webrun-snapshot/…`",
        ),
        401: unauthorized,
        404: environmentNotFound,
        409: errorAnswerSchema.describe(
          "`?base` names a version that is not kept (`MERGE_BASE_NOT_KEPT`, `details.oldestKept`)",
        ),
        412: conflict,
        415: errorAnswerSchema.describe("Neither JSON nor gzip"),
      },
    },
    // The document is validated by the store (which knows its versions); an archive streams from the socket.
    config: documentStreamedBody(["application/json", "application/gzip"], {
      type: "object",
      description: "A BrowserState document; or `Content-Type: application/gzip` with an environment archive",
    }),
    bodyLimit: STATE_JSON_LIMIT,
    handler: async (request, reply) => {
      const userId = callerOf(request);
      const { id } = request.params;
      const baseVersion = baseVersionOf(request);
      const { base, snapshot } = request.query;
      if (snapshot !== undefined && base === undefined) throw snapshotWithoutBase();
      if (base !== undefined) {
        if (baseVersion !== undefined) throw mergeWithPrecondition();
        const mergeBase = base === "none" ? null : base;
        const drop = snapshot === "drop" ? { drop: droppedOnRequest } : undefined;
        const merged = isGzip(request)
          ? await environments.importArchiveMerged(userId, id, request.raw, {
              mergeBase,
              ...(drop ? { dropSnapshot: drop.drop } : {}),
            })
          : isJson(request)
            ? await environments.saveMerged(userId, id, {
                state: request.body as never,
                mergeBase,
                ...(drop ? { snapshot: drop } : {}),
              })
            : refuseUnsupportedType();
        void reply.header("etag", `"${merged.version}"`);
        return mergedAnswer(merged);
      }
      const options = baseVersion === undefined ? {} : { baseVersion };
      const saved = await asPrecondition(async () => {
        if (isGzip(request)) return environments.importArchive(userId, id, request.raw, options);
        if (!isJson(request)) refuseUnsupportedType();
        return environments.saveVersion(userId, id, { state: request.body as never, ...options });
      });
      void reply.header("etag", `"${saved.version}"`);
      return savedAnswer(saved);
    },
  });

  app.get("/environments/:id/state", {
    schema: {
      summary: "The state document of the head (or `?version=`); `Accept: application/gzip` for the archive",
      tags,
      params: environmentParamsSchema,
      querystring: stateQuerySchema,
      response: {
        200: {
          description: "The state document, or the environment archive",
          content: {
            "application/json": { schema: stateDocumentSchema },
            "application/gzip": { schema: binarySchema("application/gzip") },
          },
        },
        400: errorAnswerSchema.describe("No browser data yet"),
        401: unauthorized,
        404: errorAnswerSchema.describe("Environment not found, or version not kept"),
      },
    },
    handler: async (request, reply) => {
      const userId = callerOf(request);
      const { id } = request.params;
      const { version } = request.query;
      if (wantsArchive(request)) {
        const history = await environments.history(userId, id);
        const chosen = version ?? history[0]?.version;
        const archive = await environments.exportArchive(userId, id, chosen);
        return sendArchive(reply, id, chosen).send(archive as never);
      }
      // The bytes validated at save time, streamed as stored: never parsed or serialised again here.
      const document = await environments.openStateDocument(userId, id, version);
      return reply
        .header("etag", `"${document.version}"`)
        .header("cache-control", "private, no-store")
        .header("content-type", "application/json; charset=utf-8")
        .header("content-length", String(document.size))
        .send(document.body as never);
    },
  });

  app.get("/environments/:id/versions", {
    schema: {
      summary: "Kept versions, newest first",
      tags,
      params: environmentParamsSchema,
      response: {
        200: versionListAnswerSchema.describe("The versions"),
        401: unauthorized,
        404: environmentNotFound,
      },
    },
    handler: async (request) => ({
      success: true as const,
      versions: await environments.history(callerOf(request), request.params.id),
    }),
  });

  app.get("/environments/:id/versions/:from/diff/:to", {
    schema: {
      summary:
        "What changed from one kept version to another, unit by unit; values only as keyed fingerprints",
      tags,
      params: versionDiffParamsSchema,
      response: {
        200: versionDiffAnswerSchema.describe(
          "Cookies, storage items, IndexedDB stores, extensions (files, `chrome.storage` keys) and raw profile files added, removed and changed",
        ),
        400: errorAnswerSchema.describe("A version that is not a positive whole number"),
        401: unauthorized,
        404: errorAnswerSchema.describe(
          "Environment not found, or a version not kept (`VERSION_NOT_FOUND`; the message and `details.kept` name the kept range)",
        ),
      },
    },
    handler: async (request) => {
      const userId = callerOf(request);
      const { id, from, to } = request.params;
      const diff = await environments.diff(userId, id, from, to, services.fingerprintsFor(userId));
      return { success: true as const, diff };
    },
  });

  app.post("/environments/:id/versions/:version/restore", {
    schema: {
      summary: "Make a kept version the head again (as a new version)",
      tags,
      params: restoreParamsSchema,
      response: {
        200: savedVersionAnswerSchema.describe("Restored"),
        401: unauthorized,
        404: errorAnswerSchema.describe("Environment not found, or version not kept"),
        412: conflict,
      },
    },
    handler: async (request, reply) => {
      const baseVersion = baseVersionOf(request);
      const saved = await asPrecondition(() =>
        environments.rollback(
          callerOf(request),
          request.params.id,
          request.params.version,
          baseVersion === undefined ? {} : { baseVersion },
        ),
      );
      void reply.header("etag", `"${saved.version}"`);
      return savedAnswer(saved);
    },
  });
}

/** The answer to a save or a restore: the new head. */
function savedAnswer(saved: SaveResult) {
  return {
    success: true as const,
    version: saved.version,
    bytesUploaded: saved.bytesUploaded,
    summary: saved.summary,
    environment: saved.environment,
  };
}

/** The answer to a merged save: the receipt's `saved` object and the environment as it now is. */
function mergedAnswer({ version, merge, summary, environment }: MergeSaveResult) {
  const saved: MergedSave = { version, ...merge };
  return { success: true as const, saved, summary, environment };
}

/** `If-Match: "3"` → 3; `If-None-Match: *` → null (nothing saved yet); neither → undefined (last writer wins). */
function baseVersionOf(request: FastifyRequest): number | null | undefined {
  const ifMatch = request.headers["if-match"];
  if (ifMatch !== undefined) {
    const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
    if (!match) {
      throw apiError({
        kind: "invalid_input",
        code: "IF_MATCH_INVALID",
        message: 'If-Match must name one version, like "3"',
      });
    }
    return Number(match[1]);
  }
  if (request.headers["if-none-match"]?.trim() === "*") return null;
  return undefined;
}

/** A stale base is a failed HTTP precondition (412), carrying the current version. */
async function asPrecondition<T>(save: () => Promise<T>): Promise<T> {
  try {
    return await save();
  } catch (error) {
    if (!isWebrunError(error, "VERSION_CONFLICT")) throw error;
    throw apiError({
      kind: "precondition_failed",
      code: "VERSION_CONFLICT",
      message: error.message,
      details: error.details,
    });
  }
}

function mediaType(request: FastifyRequest): string {
  return (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function isGzip(request: FastifyRequest): boolean {
  return ["application/gzip", "application/x-gzip"].includes(mediaType(request));
}

function isJson(request: FastifyRequest): boolean {
  return mediaType(request) === "application/json";
}

function wantsArchive(request: FastifyRequest): boolean {
  return /application\/(x-)?gzip/i.test(request.headers.accept ?? "");
}

function mergeWithPrecondition(): WebrunError {
  return apiError({
    kind: "invalid_input",
    code: "MERGE_BASE_WITH_PRECONDITION",
    message:
      "?base merges into whatever was saved since, while If-Match (or If-None-Match) saves only on an unmoved head: send one of them",
  });
}

function snapshotWithoutBase(): WebrunError {
  return apiError({
    kind: "invalid_input",
    code: "SNAPSHOT_WITHOUT_BASE",
    message: "?snapshot=drop is for a merged save: send it with ?base",
  });
}

/** Why a merged save asked with `?snapshot=drop` dropped the head's snapshot. */
const droppedOnRequest =
  "the saving session could not refresh the storage snapshot and asked to drop it: kept, it would override newer data";

function refuseUnsupportedType(): never {
  throw apiError({
    kind: "unsupported_media_type",
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: "Send the state as application/json or an environment archive as application/gzip",
  });
}

function sendArchive(reply: FastifyReply, environmentId: string, version: number | undefined): FastifyReply {
  return reply.headers({
    "content-type": "application/gzip",
    "content-disposition": `attachment; filename="environment-${environmentId}${version ? `-v${version}` : ""}.tar.gz"`,
    "cache-control": "private, no-store",
    ...(version ? { etag: `"${version}"` } : {}),
  });
}
