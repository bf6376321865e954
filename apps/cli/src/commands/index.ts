import type { Command } from "commander";

/** Every `webrun-env` command, one module each. */
export function registerCommands(program: Command): void {
  void program;
}
