/** @webrun/api — the HTTP service, importable so tests and tools can run it in-process. */
export { type BuildAppOptions, buildApp } from "./app.js";
export { type ApiConfig, describeConfig, loadConfig } from "./config.js";
export { createServices, type ServiceOptions, type Services } from "./services.js";
