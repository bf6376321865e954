/**
 * @webrun/api-client — a typed, streaming client of the webrun API: one
 * method per route, answers checked against `@webrun/api-contract`, bodies
 * streamed both ways, every failure a WebrunError (the API's own message and
 * code, or `API_UNREACHABLE` naming the URL, never the key).
 */
export {
  ApiClient,
  type BodyTap,
  type MergedSaveOptions,
  type MergedSaveSource,
  type SaveOptions,
  stateVersion,
} from "./api-client.js";
export { apiUnreachable } from "./api-errors.js";
export type { ApiClientError, ApiClientErrorCode } from "./errors.js";
export type { LocalFile } from "./form-upload.js";
export type { HttpTransportOptions, StreamedAnswer, StreamedBody } from "./http-transport.js";
