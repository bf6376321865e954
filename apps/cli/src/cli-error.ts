import { exitCodeForKind, isWebrunError } from "@webrun/errors";

/** Exit codes of `webrun-env`: 0 ok, 1 the user can fix it, 2 anything else. */
export const exitCodes = { ok: 0, userError: 1, internalError: 2 } as const;

/**
 * Prints an error the way a person wants to read it (one line, or one line
 * per field issue) and returns the exit code. Internal errors add the stack
 * only when WEBRUN_DEBUG is set; WebrunError messages never carry secrets.
 */
export function reportError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (isWebrunError(error)) {
    if (error.issues.length > 0) {
      for (const issue of error.issues) stderr.write(`${issue.path}: ${issue.message}\n`);
    } else {
      stderr.write(`webrun-env: ${error.message}\n`);
    }
    return exitCodeForKind(error.kind);
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`webrun-env: internal error: ${message}\n`);
  if (process.env.WEBRUN_DEBUG && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  return exitCodes.internalError;
}
