import { z } from "zod";
import type { ApiConfig } from "../config.js";
import type { RouteSpec } from "../route.js";
import type { Services } from "../services.js";

/** What every route module is built from. */
export interface RouteDeps {
  config: ApiConfig;
  services: Services;
}

export type RouteModule = (deps: RouteDeps) => RouteSpec[];

/**
 * Ids are not pattern-checked here: a malformed id must answer exactly like
 * an unknown one (`404 Environment not found`), which the stores do.
 */
export const environmentParams = z.object({ id: z.string() });

export const errorSchema = z.object({
  success: z.literal(false),
  message: z.string(),
  code: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export const successSchema = z.object({ success: z.literal(true) });

export const versionSummarySchema = z.object({
  cookies: z.number().int(),
  cookieDomains: z.array(z.string()),
  origins: z.array(z.string()),
  originCount: z.number().int(),
  extensions: z.array(z.object({ id: z.string(), name: z.string(), version: z.string() })),
  stateBytes: z.number().int(),
  extensionBytes: z.number().int(),
  profileFiles: z.number().int(),
  profileBytes: z.number().int(),
  totalBytes: z.number().int(),
  profile: z.unknown().optional(),
});

/** The contract's environment object, plus the head version and what it holds. */
export const environmentSchema = z.object({
  _id: z.string().regex(/^[0-9a-f]{24}$/),
  userId: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(["empty", "uploading", "ready"]),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  blobSize: z.number().int().nullable(),
  blobUploadedAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  usageCount: z.number().int(),
  version: z.number().int().nullable(),
  summary: versionSummarySchema.nullable(),
});

export const fileSummarySchema = z.object({
  fileId: z.string(),
  originalName: z.string(),
  size: z.number().int(),
});

export const versionInfoSchema = z.object({
  version: z.number().int(),
  savedAt: z.iso.datetime(),
  totalBytes: z.number().int(),
  bytesUploaded: z.number().int(),
  rolledBackFrom: z.number().int().optional(),
  head: z.boolean(),
});

/** The error answers most environment routes share. */
export const notFound = {
  description: "Environment not found (unknown id, malformed id or another user's)",
  schema: errorSchema,
};
export const unauthorized = { description: "Missing or invalid API key", schema: errorSchema };
