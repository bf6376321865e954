/**
 * @webrun/session/store — the session backend on an in-process environment
 * store and file service. A subpath of its own, so that an orchestrator
 * using another backend never loads the storage packages.
 */
export { type StoreBackendOptions, storeBackend } from "./store-backend.js";
