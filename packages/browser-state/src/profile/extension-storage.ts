/**
 * `chrome.storage` of an extension in a Chromium profile, read and written
 * offline.
 *
 * On-disk format (measured on Chromium 156): one bytewise leveldb per
 * extension and area — `Default/Local Extension Settings/<id>` for
 * `chrome.storage.local`, `Default/Sync Extension Settings/<id>` for
 * `chrome.storage.sync` — with the key in UTF-8 and the value as JSON text.
 * No version or meta rows. Values written before launch are seen by the
 * extension; uninstalling the extension wipes them.
 */
import path from "node:path";
import { extensionIdSchema } from "@webrun/state";
import { browserStateError } from "../errors.js";
import { openForRead, openForWrite } from "./leveldb.js";

export type ExtensionStorageArea = "local" | "sync";

const areaFolders: Record<ExtensionStorageArea, string> = {
  local: "Local Extension Settings",
  sync: "Sync Extension Settings",
};

/** `<profileDir>/Default/{Local,Sync} Extension Settings/<extensionId>`. */
export function extensionStorageDir(
  profileDir: string,
  extensionId: string,
  area: ExtensionStorageArea,
): string {
  return path.join(profileDir, "Default", areaFolders[area], checkedId(extensionId));
}

/**
 * Replaces one storage area of an extension with `values`, before Chromium
 * launches (what the area held before is cleared, as a seed should be
 * exact). Values are stored as JSON; `undefined` values are skipped, as
 * `chrome.storage.set` skips them.
 */
export async function writeExtensionStorage(
  profileDir: string,
  extensionId: string,
  area: ExtensionStorageArea,
  values: Readonly<Record<string, unknown>>,
): Promise<void> {
  const db = await openForWrite(extensionStorageDir(profileDir, extensionId, area));
  try {
    await db.clear();
    const batch = db.batch();
    for (const [key, value] of Object.entries(values)) {
      const json = JSON.stringify(value);
      if (json === undefined) continue;
      batch.put(Buffer.from(key, "utf8"), Buffer.from(json, "utf8"));
    }
    await batch.write();
  } finally {
    await db.close();
  }
}

/** Reads both storage areas of an extension; an area the profile lacks is `{}`. */
export async function readExtensionStorage(
  profileDir: string,
  extensionId: string,
): Promise<{ local: Record<string, unknown>; sync: Record<string, unknown> }> {
  return {
    local: await readArea(extensionStorageDir(profileDir, extensionId, "local")),
    sync: await readArea(extensionStorageDir(profileDir, extensionId, "sync")),
  };
}

async function readArea(dir: string): Promise<Record<string, unknown>> {
  // Entries, not assignment: a key named `__proto__` must stay a key.
  const entries: [string, unknown][] = [];
  const db = await openForRead(dir);
  if (db === undefined) return {};
  try {
    for await (const [key, value] of db.iterator()) {
      const name = key.toString("utf8");
      try {
        entries.push([name, JSON.parse(value.toString("utf8"))]);
      } catch (error) {
        throw browserStateError({
          kind: "integrity",
          code: "EXTENSION_STORAGE_CORRUPT",
          message: `extension storage at ${dir} holds a value that is not JSON (key ${JSON.stringify(name)})`,
          cause: error,
        });
      }
    }
  } finally {
    await db.close();
  }
  return Object.fromEntries(entries);
}

function checkedId(extensionId: string): string {
  if (!extensionIdSchema.safeParse(extensionId).success) {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_ID_INVALID",
      message: "extension id must be 32 letters a-p",
    });
  }
  return extensionId;
}
