import { WebrunError } from "@webrun/errors";
import type { CdpConnection } from "./cdp-connection.js";

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
): Promise<T> {
  const { result, exceptionDetails } = await connection.send(
    "Runtime.evaluate",
    {
      expression,
      awaitPromise: true,
      returnByValue: true,
      ...(contextId === undefined ? {} : { contextId }),
    },
    sessionId,
  );
  if (exceptionDetails) {
    const text: string =
      exceptionDetails.exception?.description ?? exceptionDetails.text ?? "unknown page exception";
    throw new WebrunError({
      kind: "internal",
      code: "PAGE_SCRIPT_FAILED",
      message: `a storage script failed in the page: ${text.split("\n")[0]?.slice(0, 300)}`,
    });
  }
  return result.value as T;
}
