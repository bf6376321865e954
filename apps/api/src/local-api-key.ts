import { randomBytes } from "node:crypto";
import path from "node:path";
import { loadOrCreateSecretFile } from "@webrun/blob-store";
import type { WebrunError } from "@webrun/errors";
import { apiError } from "./errors.js";

/** The user the local key belongs to. */
export const localApiUser = "local";

export interface LocalApiKey {
  /** Where it is kept: safe to log. */
  path: string;
  /** The key itself: never logged. */
  key: string;
  /** True when this start made it. */
  created: boolean;
}

/**
 * The key a `pnpm start` without API_KEYS serves (config allows that only on
 * a loopback HOST with the embedded storage): `<dataDir>/local-api.key`,
 * beside master.key, made once (mode 0600, atomically, like master.key).
 * webrun-env reads the same file (apps/cli/src/api-client/api-options.ts).
 */
export async function loadOrCreateLocalApiKey(dataDir: string): Promise<LocalApiKey> {
  const file = path.join(dataDir, "local-api.key");
  const { content, created } = await loadOrCreateSecretFile(file, {
    generate: () => `wk_local_${randomBytes(24).toString("base64url")}`,
    what: "local API key",
    invalid: invalidKeyFile,
  });
  // API_KEYS' own rule (16+ characters), plus one token: the CLI sends it as a Bearer header.
  if (!/^[\x21-\x7e]{16,}$/.test(content)) {
    throw invalidKeyFile(
      `local API key ${file} must be one word of at least 16 characters; delete it to make a new one`,
    );
  }
  return { path: file, key: content, created };
}

function invalidKeyFile(message: string): WebrunError {
  return apiError({ kind: "invalid_input", code: "CONFIG_INVALID", message });
}
