import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type ScriptedHandler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/** A tiny node:http server on loopback whose answer each test sets: for testing clients on the wire. */
export interface ScriptedServer {
  readonly url: string;
  /** Answers every request with `handler` until the next `handle` or `reset`. */
  handle(handler: ScriptedHandler): void;
  /** Back to answering 500, so a test that forgets to set an answer fails loudly. */
  reset(): void;
  close(): Promise<void>;
}

export async function startScriptedServer(): Promise<ScriptedServer> {
  const failing: ScriptedHandler = (_request, response) => response.writeHead(500).end();
  let current = failing;
  const server = http.createServer((request, response) => current(request, response));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handle(handler) {
      current = handler;
    },
    reset() {
      current = failing;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
