import { parseSessionParams, redactSessionParams } from "@webrun/proxy-config";
import type { Command } from "commander";
import { cliError } from "../errors.js";
import { readJsonInput } from "../read-input.js";

/**
 * `webrun-env check-session <file|->`: validates session parameters and
 * prints them normalised (secrets redacted), or one `path: message` line per
 * problem on stderr with exit code 1.
 */
export function registerCheckSession(program: Command): void {
  program
    .command("check-session")
    .description("validate session parameters (JSON) and print them normalised")
    .argument("<file>", "a JSON file with the session parameters, or - to read stdin")
    .addHelpText(
      "after",
      [
        "",
        "Checks mode, environmentId/profileId, policyId, proxy, reachOutMode and the task",
        "(task or initialTask). Valid: prints the normalised parameters as JSON, with defaults",
        'filled in and the proxy password and secret values shown as "[redacted]"; exit 0.',
        'Invalid: prints one "path: message" line per problem on stderr; exit 1.',
        "",
        "Examples:",
        "  webrun-env check-session session.json",
        '  echo \'{"reachOutMode":"off"}\' | webrun-env check-session -',
      ].join("\n"),
    )
    .action(async (file: string) => {
      const result = parseSessionParams(await readJsonInput(file));
      if (!result.ok) {
        throw cliError({
          kind: "invalid_input",
          code: "INVALID_SESSION_PARAMS",
          message: "the session parameters are invalid",
          issues: result.errors,
        });
      }
      process.stdout.write(`${JSON.stringify(redactSessionParams(result.value), null, 2)}\n`);
    });
}
