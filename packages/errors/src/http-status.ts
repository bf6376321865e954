import type { ErrorKind } from "./webrun-error.js";

/** The single mapping from error kind to HTTP status used by every HTTP edge. */
export const httpStatusByKind: Readonly<Record<ErrorKind, number>> = {
  invalid_input: 400,
  unauthorized: 401,
  /** Credentials were checked and refused (a tampered or expired signed URL). */
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  too_large: 413,
  unsupported_media_type: 415,
  limit_exceeded: 400,
  unavailable: 503,
  integrity: 500,
  internal: 500,
};

/** CLI exit codes: 1 for a problem the user can fix, 2 for anything else. */
export function exitCodeForKind(kind: ErrorKind): 1 | 2 {
  return kind === "internal" || kind === "integrity" || kind === "unavailable" ? 2 : 1;
}
