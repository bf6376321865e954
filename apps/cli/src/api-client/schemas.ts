import { z } from "zod";

/**
 * The answers of the webrun API the CLI reads, validated before use. Objects
 * are loose: a newer server may add fields, and `--json` passes them on.
 */

const isoDate = z.string();

export const versionSummarySchema = z.looseObject({
  cookies: z.number().int(),
  cookieDomains: z.array(z.string()),
  origins: z.array(z.string()),
  originCount: z.number().int(),
  extensions: z.array(z.looseObject({ id: z.string(), name: z.string(), version: z.string() })),
  totalBytes: z.number().int(),
});

export const environmentSchema = z.looseObject({
  _id: z.string().regex(/^[0-9a-f]{24}$/),
  name: z.string(),
  description: z.string(),
  status: z.enum(["empty", "uploading", "ready"]),
  createdAt: isoDate,
  updatedAt: isoDate,
  version: z.number().int().nullable().optional(),
  summary: versionSummarySchema.nullable().optional(),
});

export const fileSummarySchema = z.looseObject({
  fileId: z.string().min(1),
  originalName: z.string(),
  size: z.number().int().nonnegative(),
});

export const versionInfoSchema = z.looseObject({
  version: z.number().int(),
  savedAt: isoDate,
  totalBytes: z.number().int(),
  rolledBackFrom: z.number().int().optional(),
  head: z.boolean(),
});

const ok = { success: z.literal(true) };

export const environmentListAnswer = z.looseObject({ ...ok, environments: z.array(environmentSchema) });
export const environmentCreatedAnswer = z.looseObject({
  ...ok,
  message: z.string(),
  environment: environmentSchema,
});
export const environmentAnswer = z.looseObject({ ...ok, environment: environmentSchema });
export const environmentDetailAnswer = z.looseObject({
  ...ok,
  environment: environmentSchema,
  files: z.array(fileSummarySchema),
  versions: z.array(versionInfoSchema),
});
export const messageAnswer = z.looseObject({ ...ok, message: z.string() });
export const savedVersionAnswer = z.looseObject({
  ...ok,
  version: z.number().int(),
  summary: versionSummarySchema,
  environment: environmentSchema,
});
export const versionListAnswer = z.looseObject({ ...ok, versions: z.array(versionInfoSchema) });
export const fileListAnswer = z.looseObject({ ...ok, files: z.array(fileSummarySchema) });
export const downloadLinkAnswer = z.looseObject({ ...ok, downloadUrl: z.url(), expiresAt: isoDate });

/** The error answer every route shares: the contract's `{success:false, message}` plus our code. */
export const errorAnswer = z.looseObject({
  success: z.literal(false),
  message: z.string(),
  code: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});

export type Environment = z.infer<typeof environmentSchema>;
export type FileSummary = z.infer<typeof fileSummarySchema>;
export type VersionInfo = z.infer<typeof versionInfoSchema>;
export type VersionSummary = z.infer<typeof versionSummarySchema>;
