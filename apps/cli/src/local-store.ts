import { existsSync } from "node:fs";
import path from "node:path";
import { createEncryptedBlobStore, createFsBlobStore, loadOrCreateLocalKeyring } from "@webrun/blob-store";
import { createEnvironmentStore, environmentExists } from "@webrun/env-store";
import { createFileService } from "@webrun/file-upload";
import type { SessionBackend } from "@webrun/session";
import { storeBackend } from "@webrun/session/store";
import { cliError } from "./errors.js";

/** The user the API's embedded default serves with its local key (apps/api/src/local-api-key.ts). */
const localUser = "local";

/**
 * A session backend on the API's embedded default storage, opened in this
 * process as `pnpm start` opens it: `<dataDir>/blobs` encrypted with
 * `<dataDir>/master.key`, user `local`. The fs store locks what it writes,
 * so an API running on the same folder at the same time is fine.
 */
export async function localStoreBackend(
  dataDir: string,
): Promise<{ backend: SessionBackend; close(): Promise<void> }> {
  const root = path.resolve(dataDir);
  // Never create a master key here: a folder without one holds no environment to open.
  if (!existsSync(path.join(root, "master.key"))) {
    throw cliError({
      kind: "invalid_input",
      code: "DATA_DIR_EMPTY",
      message: `${root} holds no webrun data (no master.key): give --data-dir the DATA_DIR of \`pnpm start\`, or use the API (--api)`,
    });
  }
  const { keyring } = await loadOrCreateLocalKeyring(root);
  const driver = await createFsBlobStore({ root: path.join(root, "blobs") });
  const store = createEncryptedBlobStore(driver, keyring);
  const environments = createEnvironmentStore({ store });
  const files = createFileService({
    store,
    environments: { exists: (userId, id) => environmentExists(environments, userId, id) },
  });
  return { backend: storeBackend({ environments, files, userId: localUser }), close: () => driver.close() };
}
