/** @webrun/cli — the `webrun-env` command. The program is exported for in-process tests. */
export { exitCodes, reportError } from "./cli-error.js";
export { buildProgram, runCli } from "./program.js";
