import { randomBytes } from "node:crypto";
import { z } from "zod";

const hex24 = /^[0-9a-f]{24}$/;

/** File ids look like environment ids: 24 lowercase hex characters, random. */
export const fileIdSchema = z.string().regex(hex24);
/** Environment ids as the environments service issues them (lowercase, so a key never has two spellings). */
export const environmentIdSchema = z.string().regex(hex24);

export function newFileId(): string {
  return randomBytes(12).toString("hex");
}

export function isFileId(value: string): boolean {
  return hex24.test(value);
}

export function isEnvironmentId(value: string): boolean {
  return environmentIdSchema.safeParse(value).success;
}

/**
 * The stored description of one uploaded file, kept as JSON next to its blob.
 * `state` moves only by compare-and-swap: `active` → `expiring` (a sweeper
 * claimed an orphan; promotion now fails) → deleted.
 */
export const fileRecordSchema = z.object({
  version: z.literal(1),
  state: z.enum(["active", "expiring"]),
  fileId: fileIdSchema,
  userId: z.string().min(1),
  /** `null` while the file is an orphan. */
  environmentId: environmentIdSchema.nullable(),
  originalName: z.string(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  declaredType: z.string().nullable(),
  detectedType: z.string().nullable(),
  createdAt: z.iso.datetime(),
  /** When an orphan becomes eligible for deletion; `null` once attached to an environment. */
  expiresAt: z.iso.datetime().nullable(),
});

export type FileRecord = z.infer<typeof fileRecordSchema>;

/**
 * Written by a sweeper over the record key of an upload that never committed,
 * with `ifNoneMatch`, so that upload's own late commit fails instead of
 * pointing at a deleted blob.
 */
export const abandonedRecordSchema = z.object({
  version: z.literal(1),
  state: z.literal("abandoned"),
  fileId: fileIdSchema,
  sweptAt: z.iso.datetime(),
});

export const storedRecordSchema = z.discriminatedUnion("state", [
  fileRecordSchema.extend({ state: z.literal("active") }),
  fileRecordSchema.extend({ state: z.literal("expiring") }),
  abandonedRecordSchema,
]);

export type StoredRecord = z.infer<typeof storedRecordSchema>;

/** What the contract shows a client about a file. */
export interface FileSummary {
  fileId: string;
  originalName: string;
  size: number;
}

export function summarize(record: FileRecord): FileSummary {
  return { fileId: record.fileId, originalName: record.originalName, size: record.size };
}
