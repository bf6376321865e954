import type { IncomingMessage } from "node:http";

/** Longest wait for the rest of a refused body; a client still sending after this loses its connection. */
export const DRAIN_LIMIT_MS = 30_000;

/**
 * Reads and drops the rest of a request body that is being refused (an
 * over-limit or unwanted upload), so the answer can be sent: closing a
 * connection with upload bytes still unread resets it, and a client still
 * sending never sees the 4xx. Bounded, so a client that never stops cannot
 * hold the connection.
 */
export function drainRequest(request: IncomingMessage, limitMs = DRAIN_LIMIT_MS): Promise<void> {
  if (request.complete) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, limitMs);
    request.once("end", done);
    request.once("close", done);
    request.once("error", done);
    request.resume();
  });
}
