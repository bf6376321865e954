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

const changeCountsSchema = z.object({
  added: z.number().int().nonnegative(),
  changed: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
});

/**
 * What a merged save did (`PUT /environments/:id/state?base=<version>`): the
 * version it made, whether others' saves since its base were merged in, the
 * conflicts resolved (the later capture wins) and what this save changed
 * relative to its base. Never a value: names and counts only.
 */
export const mergedSaveSchema = z.object({
  version: z.number().int().positive(),
  /** The version the session started from; `null` for an environment that had none. */
  baseVersion: z.number().int().positive().nullable(),
  merged: z.boolean(),
  mergedWith: z.array(z.number().int().positive()),
  conflicts: z.number().int().nonnegative(),
  changes: z.object({
    cookies: changeCountsSchema,
    origins: changeCountsSchema,
    extensions: changeCountsSchema,
  }),
  /** Not carried into the new version, and why (see `MergeReport` in @webrun/state). */
  dropped: z.object({
    expiredCookies: z.number().int().nonnegative(),
    indexedDbRecordsWithoutStore: z.number().int().nonnegative(),
    extensionStorageWithoutExtension: z.number().int().nonnegative(),
  }),
  /**
   * What became of the storage snapshot (`profile/webrun-snapshot/`: copied
   * service workers, OPFS, IndexedDB values JSON cannot carry), which cannot
   * be merged: `replaced` by the save's own (the last save wins; `reason`
   * says when it replaced one saved since its base), `kept` as the head had
   * it, or `dropped` (the saving session could not refresh it, and a stale
   * one would override newer data). `null`: neither side had one.
   */
  snapshot: z
    .object({
      outcome: z.enum(["replaced", "kept", "dropped"]),
      reason: z.string(),
    })
    .nullable(),
});
export type MergedSave = z.infer<typeof mergedSaveSchema>;

/** The answer to a merged save: the receipt's `saved` object, and the environment as it now is. */
export const mergedSaveAnswerSchema = z.object({
  ...success,
  saved: mergedSaveSchema,
  summary: versionSummarySchema,
  environment: environmentSchema,
});

/** `?base=<version>` (or `base=none` for an environment that had no version) merges; without it a save replaces. */
export const stateSaveQuerySchema = z.object({
  base: z
    .union([z.literal("none"), z.coerce.number().int().positive()])
    .optional()
    .describe("The version this save started from; others' saves since are merged in three-way"),
  snapshot: z
    .literal("drop")
    .optional()
    .describe(
      "With `base`: drop the head's storage snapshot when the save carries none (the saving session could not refresh it)",
    ),
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
