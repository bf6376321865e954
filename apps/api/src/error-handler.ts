import { httpStatusByKind, isWebrunError, toErrorBody, type WebrunError } from "@webrun/errors";
import { drainRequest } from "@webrun/file-upload";
import type { FastifyError, FastifyInstance, FastifySchemaValidationError } from "fastify";
import { apiError } from "./errors.js";
import { loggablePath } from "./logger.js";
import { toProfileError } from "./routes/index.js";

/**
 * The one place errors become HTTP answers: a WebrunError's kind decides the
 * status; Fastify's own errors (body too large, bad JSON, unsupported media
 * type, a request that does not fit its route's schema) are translated to
 * WebrunErrors first so every answer has the same `{success:false, message,
 * code}` shape; the legacy `/profiles` routes say "Profile" in them. Anything
 * else (an answer that does not fit its own schema included) is a 500 whose
 * details stay in the log.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError | Error, request, reply) => {
    const translated = isWebrunError(error) ? error : fromFastifyError(error);
    const webrunError = request.routeOptions.config.legacyProfile ? toProfileError(translated) : translated;
    // A range outside a file is HTTP's own 416, which names the size.
    const unsatisfiable = webrunError.code === "RANGE_NOT_SATISFIABLE";
    const status = unsatisfiable ? 416 : httpStatusByKind[webrunError.kind];
    if (unsatisfiable) void reply.header("content-range", `bytes */${webrunError.details.size}`);
    // An answer before the whole body was read (404 or 413 on an upload): read and drop the rest first,
    // or the connection closes under a client still sending and it never sees the answer.
    await drainRequest(request.raw);
    if (status >= 500) {
      request.log.error({ err: error, code: webrunError.code }, "request failed");
    } else {
      request.log.info({ code: webrunError.code, status }, webrunError.message);
    }
    if (webrunError.code === "UNAUTHORIZED") void reply.header("www-authenticate", 'Bearer realm="webrun"');
    return reply.status(status).send(toErrorBody(webrunError));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.status(404).send(
      toErrorBody(
        apiError({
          kind: "not_found",
          code: "ROUTE_NOT_FOUND",
          message: `no route ${request.method} ${loggablePath(request.url)}`,
        }),
      ),
    );
  });
}

function fromFastifyError(error: FastifyError | Error): WebrunError {
  const code = "code" in error ? error.code : undefined;
  switch (code) {
    case "FST_ERR_VALIDATION":
      return requestInvalid(error as FastifyError);
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return apiError({
        kind: "too_large",
        code: "BODY_TOO_LARGE",
        message: "request body too large",
      });
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return apiError({
        kind: "unsupported_media_type",
        code: "UNSUPPORTED_MEDIA_TYPE",
        message: "unsupported Content-Type",
      });
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return apiError({
        kind: "invalid_input",
        code: "BODY_INVALID_JSON",
        message: "request body is not valid JSON",
      });
    default:
      if ("statusCode" in error && typeof error.statusCode === "number" && error.statusCode < 500) {
        return apiError({ kind: "invalid_input", code: "REQUEST_INVALID", message: error.message });
      }
      return apiError({ kind: "internal", code: "INTERNAL", message: "internal error", cause: error });
  }
}

/** Fastify's names for the parts of a request, as our issue paths name them (`body.name`, `query.version`). */
const partNames: Readonly<Record<string, string>> = { querystring: "query" };

/**
 * A request that does not fit its route's zod schema. The contract's
 * messages are whole sentences (`Environment name is required`): the first
 * issue's message is the answer's, every issue is listed with its path.
 */
function requestInvalid(error: FastifyError): WebrunError {
  const part = partNames[error.validationContext ?? ""] ?? error.validationContext ?? "request";
  const issues = (error.validation ?? []).map((issue: FastifySchemaValidationError) => ({
    path: [part, ...issue.instancePath.split("/").filter(Boolean)].join("."),
    message: issue.message ?? "invalid",
  }));
  return apiError({
    kind: "invalid_input",
    code: "REQUEST_INVALID",
    message: issues[0]?.message ?? `invalid ${part}`,
    issues,
  });
}
