import { WebrunError } from "@webrun/errors";
import { receiveSingleFile } from "@webrun/file-upload";
import type { FastifyRequest } from "fastify";
import { z } from "zod";
import { defineRoute } from "../route.js";
import {
  environmentParams,
  environmentSchema,
  errorSchema,
  notFound,
  type RouteDeps,
  unauthorized,
  versionSummarySchema,
} from "./common.js";

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
export function browserDataRoutes({ config, services }: RouteDeps) {
  const { environments, downloads } = services;
  return [
    defineRoute({
      method: "POST",
      url: "/environments/:id/profile",
      summary: "Upload browser data: a .tar.gz Chrome profile (≤ 500 MB) that replaces the stored data",
      tags: ["browser data"],
      params: environmentParams,
      requestBody: { contentType: "multipart/form-data", description: "field `file`: the profile `.tar.gz`" },
      responses: {
        200: {
          description: "Stored as a new version; status `ready`",
          schema: z.object({
            success: z.literal(true),
            message: z.literal("Browser data uploaded"),
            environment: environmentSchema,
            version: z.number().int(),
            summary: versionSummarySchema,
          }),
        },
        400: { description: "`No file provided` or `Only .tar.gz files are allowed`", schema: errorSchema },
        401: unauthorized,
        404: notFound,
        413: { description: "Over 500 MB", schema: errorSchema },
      },
      handler: async ({ request, userId, params }) => {
        // Unknown environment: answered before a byte of the body is read.
        await environments.get(userId, params.id);
        const saved = await receiveSingleFile(
          request.raw,
          { field: "file", maxBytes: config.maxProfileBytes },
          (body) => environments.importProfileArchive(userId, params.id, body),
        );
        return {
          success: true,
          message: "Browser data uploaded",
          environment: saved.environment,
          version: saved.version,
          summary: saved.summary,
        };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/environments/:id/profile/download",
      summary: "A link (valid 1 hour, no API key needed) to the browser data as a .tar.gz",
      tags: ["browser data"],
      params: environmentParams,
      responses: {
        200: {
          description: "The link",
          schema: z.object({ success: z.literal(true), downloadUrl: z.url(), expiresAt: z.iso.datetime() }),
        },
        400: { description: "No browser data yet", schema: errorSchema },
        401: unauthorized,
        404: notFound,
      },
      handler: async ({ request, userId, params }) => {
        const environment = await environments.get(userId, params.id);
        if (environment.version === null) throw noBrowserData();
        const expiresAt = new Date((Math.floor(Date.now() / 1000) + DOWNLOAD_LINK_SECONDS) * 1000);
        const token = downloads.sign({
          userId,
          environmentId: environment._id,
          version: environment.version,
          expiresAt,
        });
        return {
          success: true,
          downloadUrl: `${publicBaseUrl(config.publicUrl, request)}/downloads/${token}`,
          expiresAt: expiresAt.toISOString(),
        };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/downloads/:token",
      summary: "Download browser data through a signed link (no API key)",
      tags: ["browser data"],
      auth: false,
      params: z.object({ token: z.string() }),
      responses: {
        200: { description: "The environment archive", contentType: "application/gzip", schema: z.string() },
        403: { description: "Tampered or expired link", schema: errorSchema },
        404: notFound,
      },
      handler: async ({ reply, params }) => {
        const grant = downloads.verify(params.token);
        const archive = await environments.exportArchive(grant.userId, grant.environmentId, grant.version);
        return reply
          .headers({
            "content-type": "application/gzip",
            "content-disposition": `attachment; filename="environment-${grant.environmentId}-v${grant.version}.tar.gz"`,
            "cache-control": "private, no-store",
            "x-content-type-options": "nosniff",
          })
          .send(archive);
      },
    }),
  ];
}

function noBrowserData(): WebrunError {
  return new WebrunError({
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
