import { type ApiClient, stateVersion } from "@webrun/api-client";
import { downloadToFile, outputKind } from "../output-file.js";

/**
 * Downloads an environment's head (or `version`) into `out`: a `.json`
 * state document, or a `.tar.gz` environment archive (with extension files
 * and profile files: the form `launch` needs for full fidelity).
 */
export async function pullEnvironment(
  client: ApiClient,
  environmentId: string,
  out: string,
  version?: number,
): Promise<{ version: number | undefined; bytes: number }> {
  const format = outputKind(out) === "json" ? "json" : "archive";
  const answer = await client.openState(environmentId, format, version);
  const bytes = await downloadToFile(answer, out, `pull ${environmentId}`, client.apiUrl);
  return { version: stateVersion(answer) ?? version, bytes };
}
