import path from "node:path";
import type { WebrunError } from "@webrun/errors";
import { isLoopbackHost } from "@webrun/proxy-config";
import { z } from "zod";
import { apiError } from "./errors.js";

/**
 * The API's configuration, read once from the environment at start-up and
 * validated, so a typo fails the start with a message instead of a request
 * with a 500 later. Secrets (API keys, S3 secret, master keys) stay inside
 * this object and are never logged (see `describeConfig`).
 */
const envSchema = z.object({
  HOST: z.string().default("127.0.0.1"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(8080),
  /** The URL clients reach this API at; signed download URLs point here. */
  PUBLIC_URL: z.url().optional(),
  STORAGE: z.enum(["fs", "s3"]).default("fs"),
  DATA_DIR: z.string().default(".data"),
  S3_BUCKET: z.string().optional(),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default("us-east-1"),
  S3_PREFIX: z.string().optional(),
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),
  /** `id:base64key,…`; required in S3 mode, created under DATA_DIR in the embedded default. */
  WEBRUN_MASTER_KEYS: z.string().optional(),
  WEBRUN_ACTIVE_KEY_ID: z.string().optional(),
  /** `key:userId,…`; when empty, only the embedded storage on a loopback HOST may start (with a local key). */
  API_KEYS: z.string().default(""),
  MAX_ENVIRONMENTS_PER_USER: z.coerce.number().int().positive().default(20),
  ORPHAN_FILE_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  ORPHAN_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().positive().default(300),
  /** How often this process collects unreferenced environment data (interrupted saves and deletes). */
  GC_INTERVAL_SECONDS: z.coerce.number().int().positive().default(3600),
  MAX_FILE_BYTES: z.coerce.number().int().positive().optional(),
  MAX_PROFILE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(500 * 1024 * 1024),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ApiConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.join("."),
      message: issue.message,
    }));
    throw apiError({
      kind: "invalid_input",
      code: "CONFIG_INVALID",
      message: `invalid configuration: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`,
      issues,
    });
  }
  const e = parsed.data;
  const localApiKey = e.API_KEYS.trim() === "";
  // Every missing piece at once: a first start should not take one try per variable.
  const problems = [
    e.STORAGE === "s3" && !e.S3_BUCKET && "S3_BUCKET is required when STORAGE=s3",
    e.STORAGE === "s3" &&
      !e.WEBRUN_MASTER_KEYS &&
      "WEBRUN_MASTER_KEYS is required when STORAGE=s3: browser data is encrypted at rest and S3 mode never creates a key by itself",
    localApiKey && apiKeysRequired(e.STORAGE, e.HOST),
  ].filter((problem): problem is string => typeof problem === "string");
  if (problems.length > 0) throw configError(problems.join("; "));
  return {
    host: e.HOST,
    port: e.PORT,
    publicUrl: e.PUBLIC_URL,
    storage: e.STORAGE,
    dataDir: path.resolve(e.DATA_DIR),
    s3: {
      bucket: e.S3_BUCKET,
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION,
      prefix: e.S3_PREFIX,
      accessKeyId: e.AWS_ACCESS_KEY_ID,
      secretAccessKey: e.AWS_SECRET_ACCESS_KEY,
    },
    masterKeys: e.WEBRUN_MASTER_KEYS,
    activeKeyId: e.WEBRUN_ACTIVE_KEY_ID,
    apiKeys: e.API_KEYS,
    /** No API_KEYS: the embedded default on loopback serves user `local` with the key in DATA_DIR/local-api.key. */
    localApiKey,
    maxEnvironmentsPerUser: e.MAX_ENVIRONMENTS_PER_USER,
    orphanFileTtlSeconds: e.ORPHAN_FILE_TTL_SECONDS,
    orphanSweepIntervalSeconds: e.ORPHAN_SWEEP_INTERVAL_SECONDS,
    gcIntervalSeconds: e.GC_INTERVAL_SECONDS,
    maxFileBytes: e.MAX_FILE_BYTES,
    maxProfileBytes: e.MAX_PROFILE_BYTES,
    logLevel: e.LOG_LEVEL,
  };
}

/**
 * Why this start needs API_KEYS, or undefined when a local key will do: only
 * a server nobody else can reach, on storage nobody else shares, may make
 * its own key.
 */
function apiKeysRequired(storage: "fs" | "s3", host: string): string | undefined {
  const example = 'API_KEYS="<key of 16+ characters>:<userId>,…"';
  if (storage === "s3") return `API_KEYS is required when STORAGE=s3: set ${example}`;
  if (!isLoopbackHost(host)) {
    return `API_KEYS is required when HOST=${host} is not a loopback address: set ${example}, or leave HOST unset to listen on 127.0.0.1 with a local key`;
  }
  return undefined;
}

function configError(message: string): WebrunError {
  return apiError({ kind: "invalid_input", code: "CONFIG_INVALID", message });
}

/** What the start-up log line may say about the configuration: no secrets. */
export function describeConfig(config: ApiConfig): Record<string, unknown> {
  return {
    storage: config.storage,
    ...(config.storage === "fs"
      ? { dataDir: config.dataDir }
      : { bucket: config.s3.bucket, endpoint: config.s3.endpoint, region: config.s3.region }),
    maxEnvironmentsPerUser: config.maxEnvironmentsPerUser,
  };
}
