import { WebrunError } from "@webrun/errors";
import type { BlobStoreConfig } from "../blob-store/config.js";
import { type Keyring, keyringFromConfig } from "./keyring.js";
import { loadOrCreateLocalKeyring } from "./local-keyring.js";

export interface ResolvedKeyring {
  keyring: Keyring;
  /** `config`: from MASTER_KEYS; `local-file`: the embedded default's `<DATA_DIR>/master.key`. */
  source: "config" | "local-file";
  /** Set for `local-file`. */
  path?: string;
  /** True when the local key was created just now: log it (and that it must be backed up with the data). */
  created: boolean;
}

/**
 * The master keys for the configured storage, as the API starts:
 * `MASTER_KEYS="id1:base64,id2:base64"` (32-byte keys) with `MASTER_KEY_ID`
 * naming the active one when there are several. Without them the embedded
 * fs default uses (or creates) `<DATA_DIR>/master.key`; S3 storage refuses
 * to start, since a bucket must never hold browser data in clear.
 */
export async function keyringFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  storage: BlobStoreConfig,
): Promise<ResolvedKeyring> {
  const masterKeys = env.MASTER_KEYS?.trim();
  if (masterKeys) {
    const activeKeyId = env.MASTER_KEY_ID?.trim() || undefined;
    return {
      keyring: keyringFromConfig({ masterKeys, ...(activeKeyId ? { activeKeyId } : {}) }),
      source: "config",
      created: false,
    };
  }
  if (storage.driver === "fs") {
    const local = await loadOrCreateLocalKeyring(storage.root);
    return { keyring: local.keyring, source: "local-file", path: local.path, created: local.created };
  }
  throw new WebrunError({
    kind: "invalid_input",
    code: "MASTER_KEY_REQUIRED",
    message:
      "STORAGE=s3 needs MASTER_KEYS=<id>:<base64 of 32 bytes>[,…] (and MASTER_KEY_ID when there are several): browser data is encrypted at rest",
  });
}
