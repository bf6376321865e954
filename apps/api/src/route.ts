import { isWebrunError, WebrunError } from "@webrun/errors";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { z } from "zod";

/**
 * A route owns its schemas: params, query and JSON body are zod schemas that
 * both validate the request and describe it in the OpenAPI document, so the
 * document can never drift from what the server accepts.
 */
export interface RouteSpec<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
> {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Fastify path syntax: `/environments/:id`. */
  url: string;
  summary: string;
  tags: string[];
  /** Routes are authenticated unless they say otherwise. */
  auth?: boolean;
  params?: P;
  query?: Q;
  /** A JSON body; routes that stream their body (multipart, archives) leave it out and say so in `requestBody`. */
  body?: B;
  /** Largest JSON body this route accepts, when not the app's default. */
  bodyLimit?: number;
  /** OpenAPI description of a non-JSON body. */
  requestBody?: { contentType: string; description: string };
  /** Rewrites the route's errors, including request validation's (the legacy `/profiles` wording). */
  mapError?: (error: WebrunError) => WebrunError;
  responses: Record<number, { description: string; schema?: z.ZodType; contentType?: string }>;
  handler(context: RouteContext<z.output<P>, z.output<Q>, z.output<B>>): Promise<unknown>;
}

export interface RouteContext<P, Q, B> {
  request: FastifyRequest;
  reply: FastifyReply;
  /** The authenticated caller; empty for routes with `auth: false`. */
  userId: string;
  params: P;
  query: Q;
  body: B;
}

/** Declares a route with its types inferred from its schemas. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  spec: RouteSpec<P, Q, B>,
): RouteSpec {
  return spec as unknown as RouteSpec;
}

export function registerRoutes(app: FastifyInstance, routes: readonly RouteSpec[]): void {
  for (const route of routes) {
    app.route({
      method: route.method,
      url: route.url,
      config: { auth: route.auth !== false },
      ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
      handler: async (request, reply) => {
        try {
          const result = await route.handler({
            request,
            reply,
            userId: request.userId ?? "",
            params: parsePart(route.params, request.params, "params"),
            query: parsePart(route.query, request.query, "query"),
            body: parsePart(route.body, request.body, "body"),
          });
          // Handlers that stream or already answered return the reply itself.
          return result === reply ? reply : result;
        } catch (error) {
          throw route.mapError && isWebrunError(error) ? route.mapError(error) : error;
        }
      },
    });
  }
}

function parsePart(schema: z.ZodType | undefined, value: unknown, part: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: [part, ...issue.path.map(String)].join("."),
    message: issue.message,
  }));
  // The contract's messages are whole sentences ("Environment name is required"): use the first as is.
  throw new WebrunError({
    kind: "invalid_input",
    code: "REQUEST_INVALID",
    message: issues[0]?.message ?? `invalid ${part}`,
    issues,
  });
}
