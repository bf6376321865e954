import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { apiS3Settings, createTestBucket, type TestS3Server } from "@webrun/test-fixtures";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    s3: TestS3Server;
  }
}

export type StorageMode = "fs" | "s3";
export const storageModes: StorageMode[] = ["fs", "s3"];

/** One store the API processes of a test share: a fresh DATA_DIR, or a fresh bucket on the test S3 server. */
export interface TestStorage {
  mode: StorageMode;
  env: Record<string, string>;
  /** Values that must never appear in a server's output. */
  secrets: string[];
  /** The master key bytes (to check signed links independently). */
  masterKey: Buffer;
  masterKeyId: string;
  cleanup(): Promise<void>;
}

export async function createTestStorage(mode: StorageMode): Promise<TestStorage> {
  const masterKey = randomBytes(32);
  const masterKeyId = "k1";
  const keys = { WEBRUN_MASTER_KEYS: `${masterKeyId}:${masterKey.toString("base64")}` };
  if (mode === "fs") {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-test-"));
    return {
      mode,
      env: { DATA_DIR: dataDir, ...keys },
      secrets: [masterKey.toString("base64")],
      masterKey,
      masterKeyId,
      cleanup: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const s3 = inject("s3");
  const { bucket } = await createTestBucket(s3, "api");
  return {
    mode,
    env: {
      ...apiS3Settings(s3, bucket),
      ...keys,
    },
    secrets: [s3.secretAccessKey, masterKey.toString("base64")],
    masterKey,
    masterKeyId,
    // The bucket lives as long as the run's S3 server: a server process may still be writing to it.
    cleanup: async () => {},
  };
}
