import { z } from "zod";
import { defineRoute } from "../route.js";
import { errorSchema, type RouteDeps } from "./common.js";

/** Liveness, readiness (storage reachable) and the OpenAPI document: no API key needed. */
export function healthRoutes({ services }: RouteDeps, openApiDocument: () => unknown) {
  return [
    defineRoute({
      method: "GET",
      url: "/healthz",
      summary: "The process is up",
      tags: ["health"],
      auth: false,
      responses: { 200: { description: "Up", schema: z.object({ status: z.literal("ok") }) } },
      handler: async () => ({ status: "ok" }),
    }),
    defineRoute({
      method: "GET",
      url: "/readyz",
      summary: "Storage is reachable",
      tags: ["health"],
      auth: false,
      responses: {
        200: { description: "Ready", schema: z.object({ status: z.literal("ready") }) },
        503: { description: "Storage is not reachable", schema: errorSchema },
      },
      handler: async () => {
        await services.ready();
        return { status: "ready" };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/openapi.json",
      summary: "This document",
      tags: ["health"],
      auth: false,
      responses: { 200: { description: "OpenAPI 3.1", schema: z.record(z.string(), z.unknown()) } },
      handler: async () => openApiDocument(),
    }),
  ];
}
