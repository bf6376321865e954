import { errorAnswerSchema, liveAnswerSchema, readyAnswerSchema } from "@webrun/api-contract";
import { z } from "zod";
import type { RouteDeps, ZodApp } from "./common.js";

/** Liveness, readiness (storage reachable) and the OpenAPI document: no API key needed. */
export function healthRoutes(app: ZodApp, { services }: RouteDeps): void {
  const open = { tags: ["health"], security: [] };

  app.get("/healthz", {
    schema: { ...open, summary: "The process is up", response: { 200: liveAnswerSchema.describe("Up") } },
    config: { auth: false },
    handler: async () => ({ status: "ok" as const }),
  });

  app.get("/readyz", {
    schema: {
      ...open,
      summary: "Storage is reachable",
      response: {
        200: readyAnswerSchema.describe("Ready"),
        503: errorAnswerSchema.describe("Storage is not reachable"),
      },
    },
    config: { auth: false },
    handler: async () => {
      await services.ready();
      return { status: "ready" as const };
    },
  });

  app.get("/openapi.json", {
    schema: {
      ...open,
      summary: "This document (OpenAPI 3.1), generated from the routes' schemas",
      response: { 200: z.record(z.string(), z.unknown()).describe("OpenAPI 3.1") },
    },
    config: { auth: false },
    handler: async () => app.swagger() as unknown as Record<string, unknown>,
  });
}
