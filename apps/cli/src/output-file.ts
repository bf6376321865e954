import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { apiUnreachable, type StreamedAnswer } from "@webrun/api-client";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import { cliError } from "./errors.js";
import { trackTransfer } from "./progress.js";
import { stateFileKind } from "./state-file.js";

/** The kind of file an `--out` names: a state document or an environment archive. */
export function outputKind(file: string): "json" | "archive" {
  const kind = stateFileKind(file);
  if (kind) return kind;
  throw cliError({
    kind: "invalid_input",
    code: "OUTPUT_KIND_UNKNOWN",
    message: `--out must end in .json (the state document) or .tar.gz (an environment archive): ${file}`,
  });
}

/**
 * Writes a file so it appears whole or not at all: a temporary sibling,
 * then a rename. The state holds secrets (cookies, tokens): owner-only mode.
 */
export async function writeFileAtomically(
  file: string,
  write: (temporary: string) => Promise<void>,
): Promise<void> {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.partial`,
  );
  try {
    await write(temporary);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * Streams an answer into `out`, which appears whole or not at all
 * (owner-only: environments and files hold secrets), with a progress bar
 * when it is large. Resolves to the bytes written.
 */
export async function downloadToFile(answer: StreamedAnswer, out: string, label: string, apiUrl: string) {
  await writeFileAtomically(out, async (temporary) => {
    try {
      await pipeline(
        trackTransfer(label, answer.body, answer.length),
        createWriteStream(temporary, { mode: 0o600 }),
      );
    } catch (error) {
      if (isWebrunError(error)) throw error;
      // A write that failed names a path; anything else broke on the wire.
      if ((error as NodeJS.ErrnoException).path !== undefined) throw cannotWrite(out, error);
      throw apiUnreachable(apiUrl, error);
    }
  });
  return (await stat(out)).size;
}

function cannotWrite(out: string, error: unknown): WebrunError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT"
      ? "its folder does not exist"
      : code === "EACCES" || code === "EPERM"
        ? "permission denied"
        : code === "ENOSPC"
          ? "no space left on the device"
          : "write failed";
  return cliError({
    kind: "invalid_input",
    code: "OUTPUT_UNWRITABLE",
    message: `cannot write ${out}: ${reason}`,
    cause: error,
  });
}
