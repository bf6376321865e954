import { isWebrunError, WebrunError } from "@webrun/errors";
import type { FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { defineRoute } from "../route.js";
import {
  environmentParams,
  environmentSchema,
  errorSchema,
  notFound,
  type RouteDeps,
  unauthorized,
  versionInfoSchema,
  versionSummarySchema,
} from "./common.js";

/** A state document with 10,000 cookies and 1,000 origins fits comfortably; archives stream and are not bound by this. */
const STATE_JSON_LIMIT = 64 * 1024 * 1024;

const saveResultSchema = z.object({
  success: z.literal(true),
  version: z.number().int(),
  bytesUploaded: z.number().int(),
  summary: versionSummarySchema,
  environment: environmentSchema,
});

const conflict = {
  description: "`If-Match` named a version that is no longer the head (`details.currentVersion`)",
  schema: errorSchema,
};

/**
 * Versioned browser state. The head version is the state's ETag (`"3"`):
 * `If-Match: "3"` saves only when the head is still 3, `If-None-Match: *`
 * only when nothing was saved yet; otherwise 412 with the current version.
 */
export function stateRoutes({ services }: RouteDeps) {
  const { environments } = services;
  return [
    defineRoute({
      method: "PUT",
      url: "/environments/:id/state",
      summary: "Save a new version: a state document (JSON) or an environment archive (.tar.gz)",
      tags: ["state"],
      params: environmentParams,
      bodyLimit: STATE_JSON_LIMIT,
      requestBody: {
        contentType: "application/json",
        description:
          "A BrowserState document; or send `Content-Type: application/gzip` with an environment archive",
      },
      responses: {
        200: { description: "Saved", schema: saveResultSchema },
        400: { description: "Invalid state or archive", schema: errorSchema },
        401: unauthorized,
        404: notFound,
        412: conflict,
        415: { description: "Neither JSON nor gzip", schema: errorSchema },
      },
      handler: async ({ request, reply, userId, params }) => {
        const baseVersion = baseVersionOf(request);
        const options = baseVersion === undefined ? {} : { baseVersion };
        const saved = await asPrecondition(async () => {
          if (isGzip(request)) return environments.importArchive(userId, params.id, request.raw, options);
          if (!isJson(request)) throw unsupportedType();
          return environments.saveVersion(userId, params.id, { state: request.body as never, ...options });
        });
        void reply.header("etag", `"${saved.version}"`);
        return {
          success: true,
          version: saved.version,
          bytesUploaded: saved.bytesUploaded,
          summary: saved.summary,
          environment: saved.environment,
        };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/environments/:id/state",
      summary: "The state document of the head (or `?version=`); `Accept: application/gzip` for the archive",
      tags: ["state"],
      params: environmentParams,
      query: z.object({ version: z.coerce.number().int().positive().optional() }),
      responses: {
        200: { description: "The state document, or the archive", schema: z.record(z.string(), z.unknown()) },
        400: { description: "No browser data yet", schema: errorSchema },
        401: unauthorized,
        404: { description: "Environment not found, or version not kept", schema: errorSchema },
      },
      handler: async ({ request, reply, userId, params, query }) => {
        if (wantsArchive(request)) {
          const history = await environments.history(userId, params.id);
          const version = query.version ?? history[0]?.version;
          const archive = await environments.exportArchive(userId, params.id, version);
          return sendArchive(reply, params.id, version).send(archive);
        }
        const loaded = await environments.loadVersion(userId, params.id, query.version);
        void reply.header("etag", `"${loaded.version}"`).header("cache-control", "private, no-store");
        return loaded.state;
      },
    }),
    defineRoute({
      method: "GET",
      url: "/environments/:id/versions",
      summary: "Kept versions, newest first",
      tags: ["state"],
      params: environmentParams,
      responses: {
        200: {
          description: "The versions",
          schema: z.object({ success: z.literal(true), versions: z.array(versionInfoSchema) }),
        },
        401: unauthorized,
        404: notFound,
      },
      handler: async ({ userId, params }) => ({
        success: true,
        versions: await environments.history(userId, params.id),
      }),
    }),
    defineRoute({
      method: "POST",
      url: "/environments/:id/versions/:version/restore",
      summary: "Make a kept version the head again (as a new version)",
      tags: ["state"],
      params: environmentParams.extend({ version: z.coerce.number().int().positive() }),
      responses: {
        200: { description: "Restored", schema: saveResultSchema },
        401: unauthorized,
        404: { description: "Environment not found, or version not kept", schema: errorSchema },
        412: conflict,
      },
      handler: async ({ request, reply, userId, params }) => {
        const baseVersion = baseVersionOf(request);
        const saved = await asPrecondition(() =>
          environments.rollback(
            userId,
            params.id,
            params.version,
            baseVersion === undefined ? {} : { baseVersion },
          ),
        );
        void reply.header("etag", `"${saved.version}"`);
        return {
          success: true,
          version: saved.version,
          bytesUploaded: saved.bytesUploaded,
          summary: saved.summary,
          environment: saved.environment,
        };
      },
    }),
  ];
}

/** `If-Match: "3"` → 3; `If-None-Match: *` → null (nothing saved yet); neither → undefined (last writer wins). */
function baseVersionOf(request: FastifyRequest): number | null | undefined {
  const ifMatch = request.headers["if-match"];
  if (ifMatch !== undefined) {
    const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
    if (!match) {
      throw new WebrunError({
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
    throw new WebrunError({
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

function unsupportedType(): WebrunError {
  return new WebrunError({
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
