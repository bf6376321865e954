/** @webrun/cli — the `webrun-env` command. The program is exported for in-process tests. */
/** A typed, streaming client of the webrun API (the one `webrun-env env|files` use). */
export { ApiClient, type BodyTap, type SaveOptions } from "./api-client/api-client.js";
export type { LocalFile } from "./api-client/form-upload.js";
export { exitCodes, reportError } from "./cli-error.js";
export { buildProgram, runCli } from "./program.js";
