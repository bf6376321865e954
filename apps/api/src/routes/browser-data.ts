import {
  browserDataUploadedAnswerSchema,
  downloadLinkAnswerSchema,
  downloadParamsSchema,
  environmentParamsSchema,
  errorAnswerSchema,
} from "@webrun/api-contract";
import type { WebrunError } from "@webrun/errors";
import { receiveSingleFile } from "@webrun/file-upload";
import type { FastifyRequest } from "fastify";
import { apiError } from "../errors.js";
import { binaryAnswer } from "./binary.js";
import { callerOf, environmentNotFound, type RouteDeps, unauthorized, type ZodApp } from "./common.js";
import { requireMultipart } from "./multipart-only.js";
import { binaryFile, documentStreamedBody, multipartFields } from "./streamed-body.js";

/** The contract: a download link is valid for one hour. */
const DOWNLOAD_LINK_SECONDS = 60 * 60;

/**
 * The contract's "upload browser data" and "download browser data".
 *
 * Deviation from the letter of the contract, on purpose: in S3 mode the
 * download link is NOT an S3 presigned URL. Browser data is encrypted at
 * rest with our master keys, so a presigned URL would hand out ciphertext.
 * In both storage modes the API serves the archive itself at
 * `/downloads/<token>`, an HMAC-signed link (key derived from the master
 * keyring, never the key itself) that needs no API key, expires after one
 * hour, and answers 403 when tampered with or expired.
 */
export function browserDataRoutes(app: ZodApp, { config, services }: RouteDeps): void {
  const { environments, downloads } = services;
  const tags = ["browser data"];

  app.post("/environments/:id/profile", {
    schema: {
      summary: "Upload browser data: a .tar.gz Chrome profile (≤ 500 MB) that replaces the stored data",
      tags,
      params: environmentParamsSchema,
      response: {
        200: browserDataUploadedAnswerSchema.describe("Stored as a new version; status `ready`"),
        400: errorAnswerSchema.describe("`No file provided` or `Only .tar.gz files are allowed`"),
        401: unauthorized,
        404: environmentNotFound,
        413: errorAnswerSchema.describe("Over 500 MB"),
        415: errorAnswerSchema.describe("Not multipart/form-data"),
      },
    },
    config: documentStreamedBody(
      ["multipart/form-data"],
      multipartFields({ file: { ...binaryFile, description: "the profile `.tar.gz`" } }, ["file"]),
    ),
    onRequest: requireMultipart,
    handler: async (request) => {
      const userId = callerOf(request);
      const { id } = request.params;
      // Unknown environment: answered before a byte of the body is read.
      await environments.get(userId, id);
      const saved = await receiveSingleFile(
        request.raw,
        { field: "file", maxBytes: config.maxProfileBytes },
        (body) => environments.importProfileArchive(userId, id, body),
      );
      return {
        success: true as const,
        message: "Browser data uploaded" as const,
        environment: saved.environment,
        version: saved.version,
        summary: saved.summary,
      };
    },
  });

  app.get("/environments/:id/profile/download", {
    schema: {
      summary: "A link (valid 1 hour, no API key needed) to the browser data as a .tar.gz",
      tags,
      params: environmentParamsSchema,
      response: {
        200: downloadLinkAnswerSchema.describe("The link"),
        400: errorAnswerSchema.describe("No browser data yet"),
        401: unauthorized,
        404: environmentNotFound,
      },
    },
    handler: async (request) => {
      const userId = callerOf(request);
      const environment = await environments.get(userId, request.params.id);
      if (environment.version === null) throw noBrowserData();
      const expiresAt = new Date((Math.floor(Date.now() / 1000) + DOWNLOAD_LINK_SECONDS) * 1000);
      const token = downloads.sign({
        userId,
        environmentId: environment._id,
        version: environment.version,
        expiresAt,
      });
      return {
        success: true as const,
        downloadUrl: `${publicBaseUrl(config.publicUrl, request)}/downloads/${token}`,
        expiresAt: expiresAt.toISOString(),
      };
    },
  });

  app.get("/downloads/:token", {
    schema: {
      summary: "Download browser data through a signed link (no API key)",
      tags,
      security: [],
      params: downloadParamsSchema,
      response: {
        200: binaryAnswer("The environment archive", "application/gzip"),
        403: errorAnswerSchema.describe("Tampered or expired link"),
        404: environmentNotFound,
      },
    },
    config: { auth: false },
    handler: async (request, reply) => {
      const grant = downloads.verify(request.params.token);
      const archive = await environments.exportArchive(grant.userId, grant.environmentId, grant.version);
      return reply
        .headers({
          "content-type": "application/gzip",
          "content-disposition": `attachment; filename="environment-${grant.environmentId}-v${grant.version}.tar.gz"`,
          "cache-control": "private, no-store",
          "x-content-type-options": "nosniff",
        })
        .send(archive as never);
    },
  });
}

function noBrowserData(): WebrunError {
  return apiError({
    kind: "invalid_input",
    code: "ENVIRONMENT_EMPTY",
    message: "Environment has no browser data yet",
  });
}

/** PUBLIC_URL when configured (behind a proxy), else where this request reached us. */
function publicBaseUrl(configured: string | undefined, request: FastifyRequest): string {
  if (configured) return configured.replace(/\/+$/, "");
  return `${request.protocol}://${request.host}`;
}
