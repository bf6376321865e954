import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { ApiClient, BodyTap } from "@webrun/api-client";
import { WebrunError } from "@webrun/errors";
import { cliError } from "../errors.js";
import { trackTransfer } from "../progress.js";
import { stateFileKind } from "../state-file.js";

/** The media type a state file is sent as, from its name: a state document or an environment archive. */
export function stateMediaType(file: string): "application/json" | "application/gzip" {
  const kind = stateFileKind(file);
  if (kind) return kind === "json" ? "application/json" : "application/gzip";
  throw cliError({
    kind: "invalid_input",
    code: "INPUT_KIND_UNKNOWN",
    message: `${file} must end in .json (a state document) or .tar.gz (an environment archive)`,
  });
}

/**
 * Saves a state file as a new version of an environment, streamed from disk
 * (`PUT /environments/:id/state`), with a progress bar when it is large.
 * With `baseVersion` the save happens only if the head is still that
 * version; otherwise a `VERSION_CONFLICT` error naming the current head.
 */
export async function pushStateFile(
  client: ApiClient,
  environmentId: string,
  file: string,
  options: { baseVersion?: number } = {},
) {
  const upload = await stateFileUpload(file);
  try {
    return await client.saveState(environmentId, upload, { ...options, tap: pushProgress(environmentId) });
  } catch (error) {
    if (error instanceof WebrunError && error.code === "VERSION_CONFLICT")
      throw conflictMessage(error, options);
    throw error;
  }
}

/**
 * Saves a state file merged into whatever was saved since `mergeBase` (the
 * version the session started from; `null`: none), streamed from disk.
 */
export async function mergeStateFile(
  client: ApiClient,
  environmentId: string,
  file: string,
  mergeBase: number | null,
) {
  const upload = await stateFileUpload(file);
  return client.saveMergedState(
    environmentId,
    { upload },
    { base: mergeBase, tap: pushProgress(environmentId) },
  );
}

async function stateFileUpload(file: string) {
  const contentType = stateMediaType(file);
  const length = await regularFileSize(file);
  return { body: createReadStream(file), contentType, length };
}

/** A progress bar for a large push. */
function pushProgress(environmentId: string): BodyTap {
  return (body, length) => trackTransfer(`push ${environmentId}`, body, length);
}

/** The size of a file the user named, or a one-line error saying why it cannot be read. */
export async function regularFileSize(file: string): Promise<number> {
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw new Error("not a file");
    return stats.size;
  } catch (error) {
    throw cliError({
      kind: "invalid_input",
      code: "INPUT_UNREADABLE",
      message: `cannot read ${file}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : "not a readable file"}`,
      cause: error,
    });
  }
}

function conflictMessage(error: WebrunError, options: { baseVersion?: number }): WebrunError {
  const current = error.details.currentVersion;
  return new WebrunError({
    kind: error.kind,
    code: error.code,
    message: `the environment was saved by someone else: its head is version ${current ?? "none"}, not ${options.baseVersion} (pull it, or push with --base ${current ?? "…"} to replace it)`,
    details: error.details,
  });
}
