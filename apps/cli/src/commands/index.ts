import type { Command } from "commander";
import { registerCapture } from "./capture.js";
import { registerCheckSession } from "./check-session.js";
import { registerLaunch } from "./launch.js";
import { registerRestore } from "./restore.js";
import { registerConvert } from "./convert.js";

/** Every `webrun-env` command, one module each. */
export function registerCommands(program: Command): void {
  registerCheckSession(program);
  registerCapture(program);
  registerLaunch(program);
  registerRestore(program);
  registerConvert(program);
}
