import { z } from "zod";
import { isoDateTime, success } from "./common.js";
import { environmentSchema, versionInfoSchema, versionSummarySchema } from "./environments.js";

/**
 * A BrowserState document as the state routes carry it. The routes pass it
 * through untouched (the store validates what is saved), so the contract
 * holds it as a JSON object; its fields are the state package's.
 */
export const stateDocumentSchema = z
  .record(z.string(), z.unknown())
  .describe("A BrowserState document: cookies, origins, extensions (see @webrun/browser-state)");

/** `PUT /environments/:id/state` and restores: the new head version. */
export const savedVersionAnswerSchema = z.object({
  ...success,
  version: z.number().int(),
  bytesUploaded: z.number().int(),
  summary: versionSummarySchema,
  environment: environmentSchema,
});

export const versionListAnswerSchema = z.object({ ...success, versions: z.array(versionInfoSchema) });

export const stateQuerySchema = z.object({ version: z.coerce.number().int().positive().optional() });
export const restoreParamsSchema = z.object({ id: z.string(), version: z.coerce.number().int().positive() });

/** `POST /environments/:id/profile`: a raw Chrome profile archive stored as a new version. */
export const browserDataUploadedAnswerSchema = z.object({
  ...success,
  message: z.literal("Browser data uploaded"),
  environment: environmentSchema,
  version: z.number().int(),
  summary: versionSummarySchema,
});

/** `GET /environments/:id/profile/download`: a signed link, valid one hour, needing no API key. */
export const downloadLinkAnswerSchema = z.object({
  ...success,
  downloadUrl: z.url(),
  expiresAt: isoDateTime,
});

export const downloadParamsSchema = z.object({ token: z.string() });
