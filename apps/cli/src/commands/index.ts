import type { Command } from "commander";
import { registerCapture } from "./capture.js";
import { registerCheckSession } from "./check-session.js";
import { registerConvert } from "./convert.js";
import { registerEnv } from "./env.js";
import { registerFiles } from "./files.js";
import { registerImportChrome } from "./import-chrome.js";
import { registerLaunch } from "./launch.js";
import { registerRestore } from "./restore.js";
import { registerSession } from "./session.js";

/** Every `webrun-env` command, one module each. */
export function registerCommands(program: Command): void {
  registerCheckSession(program);
  registerCapture(program);
  registerImportChrome(program);
  registerLaunch(program);
  registerRestore(program);
  registerSession(program);
  registerConvert(program);
  registerEnv(program);
  registerFiles(program);
}
