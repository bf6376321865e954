import { errorAnswerSchema } from "@webrun/api-contract";
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import type { ApiConfig } from "../config.js";
import type { Services } from "../services.js";

/** The app as route modules see it: requests and answers typed from their zod schemas. */
export type ZodApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  ZodTypeProvider
>;

/** What every route module is built from. */
export interface RouteDeps {
  config: ApiConfig;
  services: Services;
}

/** The error answers most environment routes share (ids are not pattern-checked: a malformed one is "not found"). */
export const unauthorized = errorAnswerSchema.describe("Missing or invalid API key");
export const environmentNotFound = errorAnswerSchema.describe(
  "Environment not found (unknown id, malformed id or another user's)",
);

/** The caller, set by the auth hook on every authenticated route. */
export function callerOf(request: { userId?: string }): string {
  return request.userId ?? "";
}
