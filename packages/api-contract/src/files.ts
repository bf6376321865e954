import { z } from "zod";
import { success } from "./common.js";
import { fileSummarySchema } from "./environments.js";

/** A file as `POST /files/upload` reports it. */
export const uploadedFileSchema = fileSummarySchema.extend({
  sha256: z.string(),
  contentType: z.string().nullable(),
  /** The environment it persists with; null for an orphan (expires after 1 hour unless promoted). */
  environmentId: z.string().nullable(),
});
export type UploadedFile = z.infer<typeof uploadedFileSchema>;

export const filesUploadedAnswerSchema = z.object({ ...success, files: z.array(uploadedFileSchema) });
export const fileListAnswerSchema = z.object({ ...success, files: z.array(fileSummarySchema) });
export const fileDeletedAnswerSchema = z.object({ ...success, message: z.literal("File deleted") });

export const fileParamsSchema = z.object({ fileId: z.string() });
export const environmentFileParamsSchema = z.object({ id: z.string(), fileId: z.string() });
