import { z } from "zod";

/**
 * The error answer of every route: the contract's `{success:false, message}`
 * plus a stable `code`, the field `issues` of a refused input and public
 * `details` a client may act on (e.g. `currentVersion` on a 412).
 */
export const errorAnswerSchema = z.object({
  success: z.literal(false),
  message: z.string(),
  code: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorAnswer = z.infer<typeof errorAnswerSchema>;

/**
 * Codes the HTTP layer itself answers with (the packages' codes, such as
 * `ENVIRONMENT_NOT_FOUND` or `FILE_NOT_FOUND`, pass through unchanged).
 */
export const apiErrorCodes = {
  /** A request's params, query or JSON body do not fit the route's schema. */
  requestInvalid: "REQUEST_INVALID",
  bodyInvalidJson: "BODY_INVALID_JSON",
  bodyTooLarge: "BODY_TOO_LARGE",
  unsupportedMediaType: "UNSUPPORTED_MEDIA_TYPE",
  unauthorized: "UNAUTHORIZED",
  routeNotFound: "ROUTE_NOT_FOUND",
  environmentEmpty: "ENVIRONMENT_EMPTY",
  ifMatchInvalid: "IF_MATCH_INVALID",
  versionConflict: "VERSION_CONFLICT",
  /** `?base` (merge into the head) together with If-Match/If-None-Match (save only on an unmoved head). */
  mergeBaseWithPrecondition: "MERGE_BASE_WITH_PRECONDITION",
  /** `?snapshot=drop` without `?base`: only a merged save decides about the storage snapshot. */
  snapshotWithoutBase: "SNAPSHOT_WITHOUT_BASE",
  downloadLinkInvalid: "DOWNLOAD_LINK_INVALID",
  downloadLinkExpired: "DOWNLOAD_LINK_EXPIRED",
  storageUnavailable: "STORAGE_UNAVAILABLE",
  internal: "INTERNAL",
} as const;
export type ApiErrorCode = (typeof apiErrorCodes)[keyof typeof apiErrorCodes];
