import { z } from "zod";
import { defineRoute } from "../route.js";
import {
  environmentParams,
  errorSchema,
  fileSummarySchema,
  notFound,
  type RouteDeps,
  unauthorized,
} from "./common.js";

const uploadedFileSchema = fileSummarySchema.extend({
  sha256: z.string(),
  contentType: z.string().nullable(),
  environmentId: z.string().nullable(),
});

/** `/files/upload`, downloads, and an environment's files; the streaming and the rules are @webrun/file-upload's. */
export function fileRoutes({ services }: RouteDeps) {
  const { files } = services;
  return [
    defineRoute({
      method: "POST",
      url: "/files/upload",
      summary:
        "Upload files (repeat the field `files`); with `environmentId` they persist, else they expire after 1 hour",
      tags: ["files"],
      requestBody: {
        contentType: "multipart/form-data",
        description: "fields: `files` (repeatable), optional `environmentId` (alias `profileId`)",
      },
      responses: {
        200: {
          description: "Stored",
          schema: z.object({ success: z.literal(true), files: z.array(uploadedFileSchema) }),
        },
        400: {
          description: "`No file provided`, malformed multipart, unexpected fields",
          schema: errorSchema,
        },
        401: unauthorized,
        404: notFound,
        413: { description: "A file or field over its limit", schema: errorSchema },
      },
      handler: async ({ request, userId }) => files.handleUpload(request.raw, userId),
    }),
    defineRoute({
      method: "GET",
      url: "/files/:fileId",
      summary: "Download one of the caller's files (byte ranges supported)",
      tags: ["files"],
      params: z.object({ fileId: z.string() }),
      responses: {
        200: { description: "The file", contentType: "application/octet-stream", schema: z.string() },
        206: {
          description: "A byte range of the file",
          contentType: "application/octet-stream",
          schema: z.string(),
        },
        401: unauthorized,
        404: { description: "File not found", schema: errorSchema },
        416: { description: "Range outside the file", schema: errorSchema },
      },
      handler: async ({ request, reply, userId, params }) => {
        const download = await files.openFileDownload(userId, params.fileId, request.headers.range);
        return reply.status(download.status).headers(download.headers).send(download.body);
      },
    }),
    defineRoute({
      method: "GET",
      url: "/environments/:id/files",
      summary: "Files attached to an environment",
      tags: ["files"],
      params: environmentParams,
      responses: {
        200: {
          description: "The files, oldest first",
          schema: z.object({ success: z.literal(true), files: z.array(fileSummarySchema) }),
        },
        401: unauthorized,
        404: notFound,
      },
      handler: async ({ userId, params }) => ({
        success: true,
        files: await files.listEnvironmentFiles(userId, params.id),
      }),
    }),
    defineRoute({
      method: "DELETE",
      url: "/environments/:id/files/:fileId",
      summary: "Remove a file from an environment",
      tags: ["files"],
      params: environmentParams.extend({ fileId: z.string() }),
      responses: {
        200: {
          description: "Removed",
          schema: z.object({ success: z.literal(true), message: z.literal("File deleted") }),
        },
        401: unauthorized,
        404: { description: "Environment not found, or File not found", schema: errorSchema },
      },
      handler: async ({ userId, params }) => {
        await files.deleteFile(userId, params.id, params.fileId);
        return { success: true, message: "File deleted" };
      },
    }),
  ];
}
