import { randomUUID } from "node:crypto";
import Fastify, { type FastifyInstance, LogController } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { installApiDocs } from "./api-docs.js";
import { parseApiKeys } from "./api-keys.js";
import { installAuth } from "./auth.js";
import type { ApiConfig } from "./config.js";
import { installErrorHandler } from "./error-handler.js";
import { loggerOptions } from "./logger.js";
import { startMaintenance } from "./maintenance.js";
import { registerRoutes } from "./routes/index.js";
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
 * error mapping, request ids and every route. Requests are validated and
 * answers serialised by Fastify from each route's zod schemas (an answer
 * that does not fit its schema is a 500, never a leak). Nothing here
 * listens; `main.ts` does.
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
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

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
  // A route with a JSON body schema validates a missing body as an empty object, so it names the missing field.
  app.addHook("preValidation", async (request) => {
    if (request.body === undefined && request.routeOptions.schema?.body) request.body = {};
  });

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
  installApiDocs(app, version);
  const apiKeys = parseApiKeys(config.apiKeys);
  // The routes and their auth in one context; the docs page above it needs no key.
  void app.register(async (api) => {
    installAuth(api, apiKeys);
    registerRoutes(api.withTypeProvider<ZodTypeProvider>(), { config, services });
  });

  const maintenance = startMaintenance(config, services, app.log);
  app.addHook("onClose", () => maintenance.stop());
  return app;
}
