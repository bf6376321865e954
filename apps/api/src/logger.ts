import type { FastifyServerOptions } from "fastify";

/**
 * Pino options for the API. Anything that may hold a secret is redacted by
 * path, and request logs carry only method, path and status — never query
 * strings (signed URLs carry their signature there) or bodies.
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
        return { method: request.method, path: request.url.split("?")[0], id: request.id };
      },
    },
  };
}
