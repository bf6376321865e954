import { WebrunError } from "@webrun/errors";
import { z } from "zod";
import type { BlobStore } from "./blob-store.js";
import { createFsBlobStore } from "./drivers/fs.js";
import { createS3BlobStore } from "./drivers/s3.js";

const nonEmpty = z.string().trim().min(1);

/** Where blobs live: a local directory (the embedded default) or an S3 bucket. */
export const blobStoreConfigSchema = z.discriminatedUnion("driver", [
  z.strictObject({ driver: z.literal("fs"), root: nonEmpty }),
  z
    .strictObject({
      driver: z.literal("s3"),
      bucket: nonEmpty,
      region: nonEmpty,
      endpoint: z.url({ protocol: /^https?$/ }).optional(),
      accessKeyId: nonEmpty.optional(),
      secretAccessKey: nonEmpty.optional(),
      prefix: nonEmpty.optional(),
    })
    .refine((config) => (config.accessKeyId === undefined) === (config.secretAccessKey === undefined), {
      message: "set both the access key id and the secret access key, or neither",
      path: ["secretAccessKey"],
    }),
]);

export type BlobStoreConfig = z.infer<typeof blobStoreConfigSchema>;

/** The environment variable behind each configuration field, for messages about the environment. */
const envNames: Readonly<Record<string, string>> = {
  driver: "STORAGE",
  root: "DATA_DIR",
  bucket: "S3_BUCKET",
  region: "S3_REGION",
  endpoint: "S3_ENDPOINT",
  accessKeyId: "AWS_ACCESS_KEY_ID",
  secretAccessKey: "AWS_SECRET_ACCESS_KEY",
  prefix: "S3_PREFIX",
};

function invalidConfig(error: z.ZodError, fromEnv: boolean): WebrunError {
  // Only field names and zod's messages: never the values, which may include the secret key.
  const issues = error.issues.map((issue) => {
    const path = issue.path.join(".");
    return { path: fromEnv ? (envNames[path] ?? path) : path, message: issue.message };
  });
  return new WebrunError({
    kind: "invalid_input",
    code: "BLOB_STORE_CONFIG_INVALID",
    message: `invalid storage configuration${fromEnv ? " (STORAGE is fs or s3)" : ""}: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
    issues,
  });
}

/** Validates a storage configuration; errors name fields, never values. */
export function parseBlobStoreConfig(input: unknown): BlobStoreConfig {
  const parsed = blobStoreConfigSchema.safeParse(input);
  if (!parsed.success) throw invalidConfig(parsed.error, false);
  return parsed.data;
}

/**
 * Storage configuration from the environment, as the API documents it:
 * `STORAGE=s3` with `S3_BUCKET`, `S3_REGION`, `S3_ENDPOINT`,
 * `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` (and `S3_PREFIX`); otherwise a
 * local directory under `DATA_DIR` (default `./.data`).
 */
export function blobStoreConfigFromEnv(env: Readonly<Record<string, string | undefined>>): BlobStoreConfig {
  const storage = (env.STORAGE ?? "fs").trim().toLowerCase();
  const defined = (value: string | undefined) =>
    value === undefined || value.trim() === "" ? undefined : value;
  const input =
    storage === "s3"
      ? {
          driver: "s3",
          bucket: defined(env.S3_BUCKET),
          region: defined(env.S3_REGION) ?? defined(env.AWS_REGION) ?? "us-east-1",
          endpoint: defined(env.S3_ENDPOINT),
          accessKeyId: defined(env.AWS_ACCESS_KEY_ID),
          secretAccessKey: defined(env.AWS_SECRET_ACCESS_KEY),
          prefix: defined(env.S3_PREFIX),
        }
      : storage === "fs" || storage === "local"
        ? { driver: "fs", root: defined(env.DATA_DIR) ?? "./.data" }
        : { driver: storage };
  const parsed = blobStoreConfigSchema.safeParse(input);
  if (!parsed.success) throw invalidConfig(parsed.error, true);
  return parsed.data;
}

/** The configuration with the secret replaced, fit for logs and error reports. */
export function describeBlobStoreConfig(config: BlobStoreConfig): Record<string, string> {
  if (config.driver === "fs") return { driver: "fs", root: config.root };
  const { secretAccessKey, ...visible } = config;
  return Object.fromEntries(
    Object.entries({ ...visible, ...(secretAccessKey ? { secretAccessKey: "[redacted]" } : {}) }).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

/** Opens the configured BlobStore (for S3 this probes that conditional writes work). */
export async function blobStoreFromConfig(config: BlobStoreConfig): Promise<BlobStore> {
  const valid = parseBlobStoreConfig(config);
  if (valid.driver === "fs") return createFsBlobStore({ root: valid.root });
  return createS3BlobStore({
    bucket: valid.bucket,
    region: valid.region,
    ...(valid.endpoint ? { endpoint: valid.endpoint } : {}),
    ...(valid.prefix ? { prefix: valid.prefix } : {}),
    ...(valid.accessKeyId && valid.secretAccessKey
      ? { credentials: { accessKeyId: valid.accessKeyId, secretAccessKey: valid.secretAccessKey } }
      : {}),
  });
}
