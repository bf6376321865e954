import type { SwaggerTransform } from "@fastify/swagger";
import { jsonSchemaTransform } from "fastify-type-provider-zod";

/**
 * Documents a request body the route streams itself (multipart, archives):
 * Fastify must not validate or parse it, so it is no `schema.body`; it is
 * added to the route's OpenAPI operation only, as a per-route transform.
 */
export function documentStreamedBody(
  contentTypes: readonly string[],
  body: Record<string, unknown>,
): { swaggerTransform: SwaggerTransform } {
  return {
    swaggerTransform: (document) => {
      const { schema, url } = jsonSchemaTransform(document);
      return { url, schema: { ...schema, body, consumes: contentTypes } };
    },
  };
}

/** A multipart body's fields, as OpenAPI describes a form upload. */
export function multipartFields(
  fields: Record<string, Record<string, unknown>>,
  required: readonly string[],
): Record<string, unknown> {
  return { type: "object", properties: fields, required };
}

export const binaryFile = { type: "string", contentMediaType: "application/octet-stream" };
