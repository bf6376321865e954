import type { CdpConnection } from "../cdp/cdp-connection.js";
import type { ExtensionState } from "../state.js";

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
  const { targetInfos } = await connection.send("Target.getTargets");
  const worker = (targetInfos as { targetId: string; type: string; url: string }[]).find(
    (target) =>
      target.type === "service_worker" && target.url.startsWith(`chrome-extension://${extensionId}/`),
  );
  if (!worker) return false;
  const { sessionId } = await connection.send("Target.attachToTarget", {
    targetId: worker.targetId,
    flatten: true,
  });
  try {
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
        const { exceptionDetails } = await connection.send(
          "Runtime.evaluate",
          {
            expression: `chrome.storage.${area}.clear().then(() => chrome.storage.${area}.set(${JSON.stringify(values)}))`,
            awaitPromise: true,
          },
          sessionId,
        );
        if (exceptionDetails) return false;
      }
    }
    return true;
  } finally {
    await connection.send("Target.detachFromTarget", { sessionId }).catch(() => undefined);
  }
}
