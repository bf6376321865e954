import { z } from "zod";
import { isoDateTime, objectId, success } from "./common.js";

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 500;

/** The contract's message for a missing or empty name. */
export const ENVIRONMENT_NAME_REQUIRED = "Environment name is required";

/** `POST /environments` body: the contract's messages, names trimmed. */
export const environmentInputSchema = z.object({
  name: z
    .string({ error: ENVIRONMENT_NAME_REQUIRED })
    .trim()
    .min(1, ENVIRONMENT_NAME_REQUIRED)
    .max(NAME_MAX, `Environment name must be at most ${NAME_MAX} characters`),
  description: z
    .string({ error: "Environment description must be a string" })
    .trim()
    .max(DESCRIPTION_MAX, `Environment description must be at most ${DESCRIPTION_MAX} characters`)
    .optional(),
});
export type EnvironmentInput = z.input<typeof environmentInputSchema>;

/** `PATCH /environments/:id` body. */
export const environmentUpdateSchema = environmentInputSchema.partial();
export type EnvironmentUpdate = z.input<typeof environmentUpdateSchema>;

/**
 * When the version's logins run out, as of its save (`at`). Per cookie
 * domain (at most 200: those expiring first), the first and last expiry of
 * its persistent cookies and its session cookies; then counts of persistent
 * cookies already expired at save time and expiring within 7 days of it.
 * What matters to a user is where logins stand now: `loginExpiry` on the
 * environment is worked out from these domains at every read.
 */
export const cookieExpirySchema = z.object({
  at: isoDateTime.describe("The save time the counts are relative to"),
  domains: z.array(
    z.object({
      domain: z.string(),
      sessionCookies: z.number().int().nonnegative(),
      persistentCookies: z.number().int().nonnegative(),
      earliestExpiry: isoDateTime.optional(),
      latestExpiry: isoDateTime.optional(),
    }),
  ),
  expired: z.number().int().nonnegative().describe("Persistent cookies already expired at `at`"),
  expiresWithin7Days: z
    .number()
    .int()
    .nonnegative()
    .describe("Persistent cookies valid at `at` that expire within 7 days of it"),
});

/**
 * Where the head's logins stand at `at` (the moment of the read), worked out
 * from its summary's per-domain expiries: cookie domains whose first
 * persistent cookie has expired, and those (not expired) whose first one
 * expires within 7 days.
 */
export const loginExpirySchema = z.object({
  at: isoDateTime,
  expired: z.array(z.string()),
  expiresWithin7Days: z.array(z.string()),
});

/** What a version holds, for listing without a download. Lists are capped; counts are exact. */
export const versionSummarySchema = z.object({
  cookies: z.number().int().nonnegative(),
  cookieDomains: z.array(z.string()),
  origins: z.array(z.string()),
  originCount: z.number().int().nonnegative(),
  extensions: z.array(z.object({ id: z.string(), name: z.string(), version: z.string() })),
  stateBytes: z.number().int().nonnegative(),
  extensionBytes: z.number().int().nonnegative(),
  profileFiles: z.number().int().nonnegative(),
  profileBytes: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
  /** What a raw profile upload was found to hold, when there is one. */
  profile: z.unknown().optional(),
  /** Absent in summaries saved before expiries were kept. */
  cookieExpiry: cookieExpirySchema.optional(),
});
export type VersionSummary = z.infer<typeof versionSummarySchema>;

/** The contract's environment object, plus the head version and what it holds. */
export const environmentSchema = z.object({
  _id: objectId,
  userId: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(["empty", "uploading", "ready"]),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
  blobSize: z.number().int().nullable(),
  blobUploadedAt: isoDateTime.nullable(),
  lastUsedAt: isoDateTime.nullable(),
  usageCount: z.number().int(),
  /** The head version number; null before the first save. */
  version: z.number().int().nullable(),
  summary: versionSummarySchema.nullable(),
  /** Where the head's logins stand now; absent with no version, or a summary saved before expiries were kept. */
  loginExpiry: loginExpirySchema.optional(),
});
export type Environment = z.infer<typeof environmentSchema>;

/** One kept version of an environment. */
export const versionInfoSchema = z.object({
  version: z.number().int(),
  savedAt: isoDateTime,
  totalBytes: z.number().int(),
  bytesUploaded: z.number().int(),
  rolledBackFrom: z.number().int().optional(),
  head: z.boolean(),
});
export type VersionInfo = z.infer<typeof versionInfoSchema>;

/** A file attached to an environment, as the contract lists it. */
export const fileSummarySchema = z.object({
  fileId: z.string(),
  originalName: z.string(),
  size: z.number().int().nonnegative(),
});
export type FileSummary = z.infer<typeof fileSummarySchema>;

export const environmentParamsSchema = z.object({ id: z.string() });

export const environmentCreatedAnswerSchema = z.object({
  ...success,
  message: z.literal("Environment created"),
  environment: environmentSchema,
});
export const environmentListAnswerSchema = z.object({ ...success, environments: z.array(environmentSchema) });
export const environmentDetailAnswerSchema = z.object({
  ...success,
  environment: environmentSchema,
  files: z.array(fileSummarySchema),
  versions: z.array(versionInfoSchema),
});
export const environmentAnswerSchema = z.object({ ...success, environment: environmentSchema });
export const environmentDeletedAnswerSchema = z.object({
  ...success,
  message: z.literal("Environment deleted"),
});
