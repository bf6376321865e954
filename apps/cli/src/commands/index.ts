import type { Command } from "commander";
import { registerCapture } from "./capture.js";
import { registerLaunch } from "./launch.js";
import { registerRestore } from "./restore.js";

/** Every `webrun-env` command, one module each. */
export function registerCommands(program: Command): void {
  registerCapture(program);
  registerLaunch(program);
  registerRestore(program);
}
