/**
 * @webrun/blob-store/config — opens whichever store a configuration names.
 * It loads the S3 driver (and the AWS SDK) only when the configuration names
 * S3, so an fs-only process never pays for it.
 */

import type { WebrunError } from "@webrun/errors";
import { z } from "zod";
import type { BlobStore } from "./blob-store.js";
import { createFsBlobStore } from "./drivers/fs.js";
import { blobStoreError } from "./errors.js";

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

function invalidConfig(error: z.ZodError): WebrunError {
  // Only field names and zod's messages: never the values, which may include the secret key.
  const issues = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  return blobStoreError({
    kind: "invalid_input",
    code: "BLOB_STORE_CONFIG_INVALID",
    message: `invalid storage configuration: ${issues.map((i) => `${i.path || "(root)"}: ${i.message}`).join("; ")}`,
    issues,
  });
}

/** Validates a storage configuration; errors name fields, never values. */
export function parseBlobStoreConfig(input: unknown): BlobStoreConfig {
  const parsed = blobStoreConfigSchema.safeParse(input);
  if (!parsed.success) throw invalidConfig(parsed.error);
  return parsed.data;
}

/** Opens the configured BlobStore (for S3 this probes that conditional writes work). */
export async function blobStoreFromConfig(config: BlobStoreConfig): Promise<BlobStore> {
  const valid = parseBlobStoreConfig(config);
  if (valid.driver === "fs") return createFsBlobStore({ root: valid.root });
  // The S3 driver is a plugin the configuration chooses, and this is the one place that turns a configuration
  // into a driver: importing it here, only for S3, keeps the AWS SDK out of fs-only processes without hiding
  // a dependency (the package declares it; `@webrun/blob-store/s3` imports it statically).
  const { createS3BlobStore } = await import("./drivers/s3.js");
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
