import { Command, CommanderError } from "commander";
import { exitCodes, reportError } from "./cli-error.js";
import { registerCommands } from "./commands/index.js";

/** Builds the `webrun-env` program; tests call it in-process. */
export function buildProgram(): Command {
  const program = new Command("webrun-env")
    .description("Capture, store and seed cloud-browser environments.")
    .showHelpAfterError("(run with --help for usage)")
    .configureHelp({ sortSubcommands: true })
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI and resolves to its exit code instead of exiting, so callers decide. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through here too, with exit code 0.
      return error.exitCode === 0 ? exitCodes.ok : exitCodes.userError;
    }
    return reportError(error);
  }
}
