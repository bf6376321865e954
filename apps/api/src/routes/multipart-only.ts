import type { FastifyRequest } from "fastify";
import { apiError } from "../errors.js";

/**
 * Upload routes read `multipart/form-data` themselves, streaming. Any other
 * Content-Type is refused with 415 before a byte of the body is read (the
 * error handler drains it), instead of reaching a body parser whose limit
 * answers 413 for a body that was never going to be accepted.
 */
export async function requireMultipart(request: FastifyRequest): Promise<void> {
  const given = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (given === "multipart/form-data") return;
  throw apiError({
    kind: "unsupported_media_type",
    code: "UNSUPPORTED_MEDIA_TYPE",
    message: `This route takes multipart/form-data${given ? `, not ${given}` : ""}`,
  });
}
