import { versionSummarySchema } from "@webrun/api-contract";
import { z } from "zod";

/** A stored part of a version: where its bytes are and what they must hash to. */
export const contentRefSchema = z.strictObject({
  key: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ContentRef = z.infer<typeof contentRefSchema>;

/** What a version holds: the API contract's summary, stored with each version as the API shows it. */
export { type VersionSummary, versionSummarySchema } from "@webrun/api-contract";

export const manifestSchema = z.strictObject({
  format: z.literal(1),
  environmentId: z.string(),
  version: z.number().int().positive(),
  parentVersion: z.number().int().positive().nullable(),
  savedAt: z.iso.datetime(),
  rolledBackFrom: z.number().int().positive().optional(),
  /** The state's core document: cookies, extensions (see `state-parts.ts`). */
  state: contentRefSchema,
  /** The state's origin storage, in hash-chosen groups. */
  originGroups: z.array(contentRefSchema),
  extensionFiles: z.array(contentRefSchema.extend({ extensionId: z.string(), path: z.string() })),
  profileFiles: z.array(contentRefSchema.extend({ path: z.string() })),
  summary: versionSummarySchema,
  bytesUploaded: z.number().int().nonnegative(),
});
export type VersionManifest = z.infer<typeof manifestSchema>;

export const versionEntrySchema = z.strictObject({
  version: z.number().int().positive(),
  manifestKey: z.string(),
  savedAt: z.iso.datetime(),
  totalBytes: z.number().int().nonnegative(),
  bytesUploaded: z.number().int().nonnegative(),
  rolledBackFrom: z.number().int().positive().optional(),
});
export type VersionEntry = z.infer<typeof versionEntrySchema>;

export const environmentRecordSchema = z.strictObject({
  format: z.literal(1),
  _id: z.string(),
  userId: z.string(),
  name: z.string(),
  description: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  blobSize: z.number().int().nonnegative().nullable(),
  blobUploadedAt: z.iso.datetime().nullable(),
  lastUsedAt: z.iso.datetime().nullable(),
  usageCount: z.number().int().nonnegative(),
  /** Set while a raw profile upload is in flight; stale after the save deadline (the uploader died). */
  uploadingSince: z.iso.datetime().nullable(),
  /** Set first when deleting, so a half-finished delete already reads as gone. */
  deletedAt: z.iso.datetime().nullable(),
  /** Kept versions, oldest first; the last one is the head. */
  versions: z.array(versionEntrySchema),
  /** Manifests dropped by retention, kept until the GC grace period has passed (an in-flight save may still reuse their content). */
  retired: z.array(z.strictObject({ manifestKey: z.string(), retiredAt: z.iso.datetime() })),
  /** Summary of the head version. */
  summary: versionSummarySchema.nullable(),
});
export type EnvironmentRecord = z.infer<typeof environmentRecordSchema>;

export const userIndexSchema = z.strictObject({
  format: z.literal(1),
  environments: z.array(z.strictObject({ id: z.string(), createdAt: z.iso.datetime() })),
});
export type UserIndex = z.infer<typeof userIndexSchema>;

/** The environment as the API shows it: the contract's record (fields plus the head version and its summary). */
export type { Environment } from "@webrun/api-contract";
