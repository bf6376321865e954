import { browserStateError } from "../errors.js";
import type { CdpConnection } from "./cdp-connection.js";
import { evaluateInSession } from "./evaluate.js";

/** How long a service worker that is starting up gets before its storage counts as unreachable. */
const workerStartTimeoutMs = 10_000;

const readyExpression = `typeof chrome === "object" && typeof chrome.storage?.local?.get === "function"`;

/** The target id of the extension's running service worker, if it runs. */
async function findExtensionWorker(
  connection: CdpConnection,
  extensionId: string,
): Promise<string | undefined> {
  const { targetInfos } = await connection.send("Target.getTargets");
  return targetInfos.find(
    (target) =>
      target.type === "service_worker" && target.url.startsWith(`chrome-extension://${extensionId}/`),
  )?.targetId;
}

/**
 * Runs `use` in a session attached to the extension's service worker once the
 * worker can use `chrome.storage`. A worker target shows up before its script
 * runs and before Chromium ties its process to the extension: until then
 * `chrome` is undefined and the Extensions domain answers "Extension not
 * found.", so `use` is retried until it succeeds or the worker had
 * `timeoutMs` to start. `undefined` when the worker is not running at all.
 */
export async function inExtensionWorker<T>(
  connection: CdpConnection,
  extensionId: string,
  use: (sessionId: string) => Promise<T>,
  timeoutMs = workerStartTimeoutMs,
): Promise<T | undefined> {
  const targetId = await findExtensionWorker(connection, extensionId);
  if (targetId === undefined) return undefined;
  const { sessionId } = await connection.send("Target.attachToTarget", {
    targetId,
    flatten: true,
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    do {
      try {
        if (await evaluateInSession<boolean>(connection, sessionId, readyExpression)) {
          return await use(sessionId);
        }
      } catch (error) {
        if (connection.isClosed) throw error;
        lastError = error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    throw browserStateError({
      kind: "unavailable",
      code: "EXTENSION_WORKER_UNREACHABLE",
      message: `the service worker of extension ${extensionId} did not answer within ${timeoutMs} ms`,
      cause: lastError,
    });
  } finally {
    await connection.send("Target.detachFromTarget", { sessionId }).catch(() => undefined);
  }
}
