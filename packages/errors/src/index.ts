/**
 * @webrun/errors — the typed error every package throws on purpose, and the
 * one place its kinds map to HTTP statuses and CLI exit codes.
 */
export { exitCodeForKind, httpStatusByKind } from "./http-status.js";
export {
  type ErrorBody,
  type ErrorKind,
  errorFactory,
  errorKinds,
  type FieldIssue,
  isWebrunError,
  toErrorBody,
  WebrunError,
  type WebrunErrorOptions,
} from "./webrun-error.js";
