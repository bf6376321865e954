import { browserStateError } from "../errors.js";
import type { CdpConnection } from "./cdp-connection.js";

/** How long one storage script may run in a page (reading or writing one origin). */
export const pageScriptTimeoutMs = 30_000;

/**
 * Evaluates an expression (a Promise is awaited) in a session's main world,
 * or in `contextId`, and returns its value. A page-side exception becomes a
 * WebrunError carrying the exception text (our scripts never put stored
 * values into their exceptions).
 */
export async function evaluateInSession<T>(
  connection: CdpConnection,
  sessionId: string,
  expression: string,
  contextId?: number,
  timeoutMs = pageScriptTimeoutMs,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  // A page stuck in a loop, or an IndexedDB request that never settles, must not hang a capture.
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          browserStateError({
            kind: "unavailable",
            code: "PAGE_SCRIPT_TIMEOUT",
            message: `a storage script did not finish within ${timeoutMs} ms`,
          }),
        ),
      timeoutMs,
    );
  });
  const { result, exceptionDetails } = await Promise.race([
    connection.send(
      "Runtime.evaluate",
      {
        expression,
        awaitPromise: true,
        returnByValue: true,
        ...(contextId === undefined ? {} : { contextId }),
      },
      sessionId,
    ),
    timeout,
  ]).finally(() => clearTimeout(timer));
  if (exceptionDetails) {
    const text: string =
      exceptionDetails.exception?.description ?? exceptionDetails.text ?? "unknown page exception";
    throw browserStateError({
      kind: "internal",
      code: "PAGE_SCRIPT_FAILED",
      message: `a storage script failed in the page: ${text.split("\n")[0]?.slice(0, 300)}`,
    });
  }
  return result.value as T;
}
