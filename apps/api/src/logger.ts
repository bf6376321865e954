import type { FastifyServerOptions } from "fastify";

/**
 * Pino options for the API. Anything that may hold a secret is redacted by
 * path, and request logs carry only method, path and status — never query
 * strings or bodies, and a signed download link's token (a credential for
 * an hour) is cut from its path.
 */
export function loggerOptions(level: string): FastifyServerOptions["logger"] {
  return {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "req.headers['x-api-key']",
        "*.password",
        "*.secretAccessKey",
        "*.masterKeys",
        "*.apiKeys",
      ],
      censor: "[redacted]",
    },
    serializers: {
      req(request: { method: string; url: string; id: string }) {
        return { method: request.method, path: loggablePath(request.url), id: request.id };
      },
    },
  };
}

/** The path without its query string, and `/downloads/<token>` without the token. */
export function loggablePath(url: string): string {
  const path = url.split("?")[0] ?? "";
  return path.startsWith("/downloads/") ? "/downloads/[redacted]" : path;
}
