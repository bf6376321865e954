import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { parseApiKeys } from "./api-keys.js";
import { installAuth } from "./auth.js";
import type { ApiConfig } from "./config.js";
import { installErrorHandler } from "./error-handler.js";
import { loggerOptions } from "./logger.js";
import { startMaintenance } from "./maintenance.js";
import { buildOpenApiDocument } from "./openapi.js";
import { registerRoutes } from "./route.js";
import { allRoutes } from "./routes/index.js";
import type { Services } from "./services.js";

/** JSON bodies (environment fields, state documents have their own larger limit). */
const JSON_BODY_LIMIT = 1024 * 1024;

/** Content types whose bodies the routes stream themselves from `request.raw`. */
const STREAMED_CONTENT_TYPES = [
  "multipart/form-data",
  "application/gzip",
  "application/x-gzip",
  "application/x-tar",
  "application/octet-stream",
];

export interface BuildAppOptions {
  config: ApiConfig;
  services: Services;
  /** Package version for the OpenAPI document. */
  version?: string;
}

/**
 * The HTTP app, built by a function so tests can run it in-process: auth,
 * error mapping, request ids and every route. Nothing here listens; `main.ts` does.
 */
export function buildApp({ config, services, version = "0.1.0" }: BuildAppOptions): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(config.logLevel),
    // Ids are ours: a client-sent x-request-id is never trusted into the logs.
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: JSON_BODY_LIMIT,
    // Large uploads may take long; the packages bound their own durations.
    requestTimeout: 0,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Signed download tokens are longer than the router's default 100 characters.
    routerOptions: { maxParamLength: 2048 },
    // One line per request (below), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // An empty JSON body reads as none, so `POST /environments` without one says "Environment name is required".
  const parseJson = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === "") done(null, undefined);
    else parseJson(request, text, done);
  });
  // Multipart and archives are read by the packages' streaming handlers, never buffered by Fastify.
  app.addContentTypeParser(STREAMED_CONTENT_TYPES, (_request, _payload, done) => done(null, undefined));

  app.addHook("onRequest", async (request, reply) => {
    void reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async (request, reply) => {
    request.log.info(
      { req: request, status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      "request completed",
    );
  });

  installErrorHandler(app);
  installAuth(app, parseApiKeys(config.apiKeys));

  const routes = allRoutes({ config, services }, () => document);
  const document = buildOpenApiDocument(routes, { version });
  registerRoutes(app, routes);

  const maintenance = startMaintenance(config, services, app.log);
  app.addHook("onClose", () => maintenance.stop());
  return app;
}
