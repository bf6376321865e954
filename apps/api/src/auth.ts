import type { FastifyInstance } from "fastify";
import type { ApiKeyring } from "./api-keys.js";
import { apiError } from "./errors.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The caller, set by the auth hook on authenticated routes. */
    userId?: string;
  }
  interface FastifyContextConfig {
    auth?: boolean;
  }
}

/**
 * `Authorization: Bearer <key>` on every route that does not opt out. A
 * missing or wrong key is the same 401, so the answer tells an attacker
 * nothing about which keys exist.
 */
export function installAuth(app: FastifyInstance, keys: ApiKeyring): void {
  app.decorateRequest("userId", undefined);
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.auth === false) return;
    const header = request.headers.authorization ?? "";
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const userId = match?.[1] ? keys.userFor(match[1]) : undefined;
    if (!userId) {
      throw apiError({
        kind: "unauthorized",
        code: "UNAUTHORIZED",
        message: header === "" ? "Missing API key" : "Invalid API key",
      });
    }
    request.userId = userId;
  });
}
