/**
 * @webrun/session/api — the session backend over the webrun HTTP API. A
 * subpath of its own, so that an orchestrator on the store's machine never
 * loads the HTTP client.
 */
export { type ApiBackendOptions, apiBackend } from "./api-backend.js";
