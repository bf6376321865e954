import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import { emptyBrowserState } from "@webrun/state";
import { type ApiOptions, apiClientFrom } from "./api-client/api-options.js";
import { pullEnvironment } from "./api-client/environment-pull.js";
import { cliError } from "./errors.js";
import { type LoadedState, loadStateFile } from "./state-file.js";

/**
 * The state `launch` and `env check` seed from: `--state <file>`, or
 * `--env <id>` pulled from the API as an environment archive into a
 * temporary folder and then read exactly like a local one.
 */
export async function loadLaunchState(
  options: ApiOptions & { state?: string; env?: string },
): Promise<LoadedState> {
  if (options.env === undefined) {
    if (options.state === undefined) throw launchSourceError();
    return loadStateFile(options.state);
  }
  if (options.state !== undefined) throw launchSourceError();
  const client = apiClientFrom(options);
  const dir = await mkdtemp(path.join(tmpdir(), "webrun-pull-"));
  try {
    const archive = path.join(dir, "environment.tar.gz");
    await pullEnvironment(client, options.env, archive);
    return await loadStateFile(archive);
  } catch (error) {
    // A new environment is where everyone starts: open an empty browser to log in with, not an error.
    if (!isWebrunError(error, "ENVIRONMENT_EMPTY")) throw error;
    process.stderr.write(
      `webrun-env: environment ${options.env} holds no browser data yet: this browser starts empty; save it with \`webrun-env capture --cdp <http> --push ${options.env}\` while it is open\n`,
    );
    return { state: emptyBrowserState(), dispose: async () => undefined };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function launchSourceError(): WebrunError {
  return cliError({
    kind: "invalid_input",
    code: "LAUNCH_SOURCE_INVALID",
    message: "give one of --state <file> or --env <environment id>",
  });
}
