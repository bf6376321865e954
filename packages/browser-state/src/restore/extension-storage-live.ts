import type { ExtensionState } from "@webrun/state";
import type { CdpConnection } from "../cdp/cdp-connection.js";
import { evaluateInSession } from "../cdp/evaluate.js";
import { inExtensionWorker } from "../cdp/extension-worker.js";

/**
 * Replaces `chrome.storage.local`/`sync` of an installed extension through
 * its service worker session (`Extensions.clearStorageItems` +
 * `setStorageItems`, or the same through `chrome.storage` evaluated in the
 * worker). `false` when the worker is not running, so nothing was written.
 */
export async function writeLiveExtensionStorage(
  connection: CdpConnection,
  extensionId: string,
  storage: ExtensionState["storage"],
): Promise<boolean> {
  const written = await inExtensionWorker(connection, extensionId, async (sessionId) => {
    for (const area of ["local", "sync"] as const) {
      const values = storage[area];
      try {
        await connection.send(
          "Extensions.clearStorageItems",
          { id: extensionId, storageArea: area },
          sessionId,
        );
        if (Object.keys(values).length > 0) {
          await connection.send(
            "Extensions.setStorageItems",
            { id: extensionId, storageArea: area, values },
            sessionId,
          );
        }
      } catch (error) {
        if (connection.isClosed) throw error;
        await evaluateInSession(
          connection,
          sessionId,
          `chrome.storage.${area}.clear().then(() => chrome.storage.${area}.set(${JSON.stringify(values)})).then(() => true)`,
        );
      }
    }
    return true;
  });
  return written === true;
}
