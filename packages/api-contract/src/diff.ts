import { z } from "zod";
import { isoDateTime, success } from "./common.js";

/**
 * `GET /environments/:id/versions/:from/diff/:to`: what changed from one kept
 * version to another, unit by unit. Never a value: a changed value is
 * reported as changed, with a short fingerprint of each side keyed by a
 * secret of the service and the caller (the same value gives the same
 * fingerprint in every diff of the caller's, so two diffs can be compared,
 * and it cannot be guessed without the key).
 */
const fingerprints = {
  before: z.string().describe("A keyed fingerprint of the earlier value, never the value"),
  after: z.string().describe("A keyed fingerprint of the later value, never the value"),
};

const changedOf = <S extends z.ZodRawShape>(ref: S) =>
  z.object({
    added: z.array(z.object(ref)),
    removed: z.array(z.object(ref)),
    changed: z.array(z.object({ ...ref, ...fingerprints })),
  });

const fileChangesSchema = changedOf({ path: z.string() });

export const stateDiffSchema = z.object({
  /** Cookies by (name, domain, path, partition: the top-level site of a partitioned cookie). */
  cookies: changedOf({
    name: z.string(),
    domain: z.string(),
    path: z.string(),
    partition: z.string().optional(),
  }),
  /** localStorage and sessionStorage items, per storage key and area. */
  storage: z.array(
    changedOf({ name: z.string() }).extend({
      storageKey: z.string(),
      area: z.enum(["localStorage", "sessionStorage"]),
    }),
  ),
  /** IndexedDB databases whose schema or records changed, with each store's record counts. */
  indexedDB: z.array(
    z.object({
      storageKey: z.string(),
      database: z.string(),
      versionBefore: z.number().optional(),
      versionAfter: z.number().optional(),
      schemaChanged: z.boolean(),
      stores: z.array(
        z.object({
          name: z.string(),
          recordsBefore: z.number().int().nonnegative(),
          recordsAfter: z.number().int().nonnegative(),
          added: z.number().int().nonnegative(),
          removed: z.number().int().nonnegative(),
          changed: z.number().int().nonnegative(),
        }),
      ),
    }),
  ),
  /** Extensions whose package (version, manifest, files by SHA-256) or `chrome.storage` keys changed. */
  extensions: z.array(
    z.object({
      id: z.string(),
      versionBefore: z.string().optional(),
      versionAfter: z.string().optional(),
      packageChanged: z.boolean(),
      files: fileChangesSchema,
      storage: changedOf({ area: z.enum(["local", "sync"]), key: z.string() }),
    }),
  ),
});

const versionRefSchema = z.object({ version: z.number().int().positive(), savedAt: isoDateTime });

export const versionDiffSchema = z.object({
  environmentId: z.string(),
  from: versionRefSchema,
  to: versionRefSchema,
  state: stateDiffSchema,
  /** A raw profile upload's files, by path, compared by SHA-256. */
  profileFiles: fileChangesSchema,
});
export type VersionDiff = z.infer<typeof versionDiffSchema>;

export const versionDiffAnswerSchema = z.object({ ...success, diff: versionDiffSchema });

export const versionDiffParamsSchema = z.object({
  id: z.string(),
  from: z.coerce.number().int().positive(),
  to: z.coerce.number().int().positive(),
});
