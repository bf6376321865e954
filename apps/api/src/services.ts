import path from "node:path";
import {
  type BlobStore,
  createEncryptedBlobStore,
  type Keyring,
  keyringFromConfig,
  loadOrCreateLocalKeyring,
} from "@webrun/blob-store";
import { blobStoreFromConfig, parseBlobStoreConfig } from "@webrun/blob-store/config";
import { inspectProfile } from "@webrun/browser-state/inspect-profile";
import { createEnvironmentStore, type EnvironmentStore, environmentExists } from "@webrun/env-store";
import { createFileService, type FileService } from "@webrun/file-upload";
import type { ApiConfig } from "./config.js";
import { apiError } from "./errors.js";
import { createDownloadSigner, type DownloadSigner } from "./signed-downloads.js";
import { createValueFingerprints, type ValueFingerprint } from "./value-fingerprints.js";

/** Everything the routes use, composed once from the configuration. */
export interface Services {
  environments: EnvironmentStore;
  files: FileService;
  downloads: DownloadSigner;
  /** The caller's keyed fingerprints for the values a version diff reports as changed. */
  fingerprintsFor(userId: string): ValueFingerprint;
  /** Set when this start created the embedded default's master key (the app says so once). */
  createdMasterKeyPath?: string;
  /** Resolves when storage answers; throws `STORAGE_UNAVAILABLE` otherwise. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Blob store from the configuration (a directory under DATA_DIR, or S3 with
 * its conditional-write probe) → encrypted at rest → environments and files.
 * Environments and files keep all their state in the store, so any number of
 * API processes on one bucket (or one DATA_DIR) behave as one service.
 */
export interface ServiceOptions {
  /** Wraps the storage driver (below encryption), e.g. to count the calls each request makes to it. */
  wrapDriver?: (driver: BlobStore) => BlobStore;
}

export async function createServices(config: ApiConfig, options: ServiceOptions = {}): Promise<Services> {
  const { keyring, createdPath } = await openKeyring(config);
  const opened = await openBlobStore(config);
  const driver = options.wrapDriver ? options.wrapDriver(opened) : opened;
  const store = createEncryptedBlobStore(driver, keyring);
  const environments = createEnvironmentStore({
    store,
    limits: { maxEnvironmentsPerUser: config.maxEnvironmentsPerUser },
    // Reading a profile's leveldb and manifests is browser knowledge; env-store only spools the files.
    inspectProfile,
  });
  const files = createFileService({
    store,
    environments: { exists: (userId, id) => environmentExists(environments, userId, id) },
    orphanMaxAgeMs: config.orphanFileTtlSeconds * 1000,
    ...(config.maxFileBytes ? { limits: { maxFileBytes: config.maxFileBytes } } : {}),
  });
  return {
    environments,
    files,
    downloads: createDownloadSigner(keyring),
    fingerprintsFor: createValueFingerprints(keyring),
    ...(createdPath ? { createdMasterKeyPath: createdPath } : {}),
    ready: () => probeStorage(driver),
    close: () => driver.close(),
  };
}

async function openKeyring(config: ApiConfig): Promise<{ keyring: Keyring; createdPath?: string }> {
  if (config.masterKeys) {
    return {
      keyring: keyringFromConfig({
        masterKeys: config.masterKeys,
        ...(config.activeKeyId ? { activeKeyId: config.activeKeyId } : {}),
      }),
    };
  }
  // Only the embedded default gets here (config refuses S3 without WEBRUN_MASTER_KEYS).
  const local = await loadOrCreateLocalKeyring(config.dataDir);
  return { keyring: local.keyring, ...(local.created ? { createdPath: local.path } : {}) };
}

function openBlobStore(config: ApiConfig): Promise<BlobStore> {
  if (config.storage === "fs") {
    // Blobs live beside, not around, master.key.
    return blobStoreFromConfig({ driver: "fs", root: path.join(config.dataDir, "blobs") });
  }
  const { s3 } = config;
  return blobStoreFromConfig(
    parseBlobStoreConfig({
      driver: "s3",
      bucket: s3.bucket,
      region: s3.region,
      ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
      ...(s3.prefix ? { prefix: s3.prefix } : {}),
      ...(s3.accessKeyId ? { accessKeyId: s3.accessKeyId } : {}),
      ...(s3.secretAccessKey ? { secretAccessKey: s3.secretAccessKey } : {}),
    }),
  );
}

/** A HEAD of a key that need not exist: answered (found or not) means the store is reachable. */
async function probeStorage(store: BlobStore): Promise<void> {
  try {
    await store.head("health/ready");
  } catch (error) {
    throw apiError({
      kind: "unavailable",
      code: "STORAGE_UNAVAILABLE",
      message: "Storage is not reachable",
      cause: error,
    });
  }
}
