import {
  environmentFileParamsSchema,
  environmentParamsSchema,
  errorAnswerSchema,
  fileDeletedAnswerSchema,
  fileListAnswerSchema,
  fileParamsSchema,
  filesUploadedAnswerSchema,
} from "@webrun/api-contract";
import { binaryAnswer } from "./binary.js";
import { callerOf, environmentNotFound, type RouteDeps, unauthorized, type ZodApp } from "./common.js";
import { requireMultipart } from "./multipart-only.js";
import { binaryFile, documentStreamedBody, multipartFields } from "./streamed-body.js";

/** `/files/upload`, downloads, and an environment's files; the streaming and the rules are @webrun/file-upload's. */
export function fileRoutes(app: ZodApp, { services }: RouteDeps): void {
  const { files } = services;
  const tags = ["files"];

  app.post("/files/upload", {
    schema: {
      summary:
        "Upload files (repeat the field `files`); with `environmentId` they persist, else they expire after 1 hour",
      tags,
      response: {
        200: filesUploadedAnswerSchema.describe("Stored"),
        400: errorAnswerSchema.describe("`No file provided`, malformed multipart, unexpected fields"),
        401: unauthorized,
        404: environmentNotFound,
        413: errorAnswerSchema.describe("A file or field over its limit"),
        415: errorAnswerSchema.describe("Not multipart/form-data"),
      },
    },
    config: documentStreamedBody(
      ["multipart/form-data"],
      multipartFields(
        {
          files: { type: "array", items: binaryFile, description: "repeat the field for several files" },
          environmentId: { type: "string", description: "persist with this environment (alias `profileId`)" },
        },
        ["files"],
      ),
    ),
    onRequest: requireMultipart,
    handler: async (request) => files.handleUpload(request.raw, callerOf(request)),
  });

  app.get("/files/:fileId", {
    schema: {
      summary: "Download one of the caller's files (byte ranges supported)",
      tags,
      params: fileParamsSchema,
      response: {
        200: binaryAnswer("The file, typed as sniffed from its bytes (else application/octet-stream)", "*/*"),
        206: binaryAnswer("A byte range of the file", "*/*"),
        401: unauthorized,
        404: errorAnswerSchema.describe("File not found"),
        416: errorAnswerSchema.describe("Range outside the file"),
      },
    },
    handler: async (request, reply) => {
      const download = await files.openFileDownload(
        callerOf(request),
        request.params.fileId,
        request.headers.range,
      );
      return reply
        .status(download.status)
        .headers(download.headers)
        .send(download.body as never);
    },
  });

  app.get("/environments/:id/files", {
    schema: {
      summary: "Files attached to an environment",
      tags,
      params: environmentParamsSchema,
      response: {
        200: fileListAnswerSchema.describe("The files, oldest first"),
        401: unauthorized,
        404: environmentNotFound,
      },
    },
    handler: async (request) => ({
      success: true as const,
      files: await files.listEnvironmentFiles(callerOf(request), request.params.id),
    }),
  });

  app.delete("/environments/:id/files/:fileId", {
    schema: {
      summary: "Remove a file from an environment",
      tags,
      params: environmentFileParamsSchema,
      response: {
        200: fileDeletedAnswerSchema.describe("Removed"),
        401: unauthorized,
        404: errorAnswerSchema.describe("Environment not found, or File not found"),
      },
    },
    handler: async (request) => {
      await files.deleteFile(callerOf(request), request.params.id, request.params.fileId);
      return { success: true as const, message: "File deleted" as const };
    },
  });
}
