import { type ErrorKind, WebrunError } from "@webrun/errors";

/** The contract's message for anything that is not a readable gzip'd tar. */
export const NOT_TAR_GZ_MESSAGE = "Only .tar.gz files are allowed";

const MAX_NAME_IN_MESSAGE = 120;

/**
 * An entry name as it may appear in an error message: names are not secret,
 * but an attacker chooses them, so they are capped and stripped of control
 * characters before reaching logs.
 */
export function entryNameForMessage(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we remove
  const printable = name.replace(/[\u0000-\u001f\u007f]/g, "?");
  return printable.length > MAX_NAME_IN_MESSAGE ? `${printable.slice(0, MAX_NAME_IN_MESSAGE)}…` : printable;
}

/** An archive refused for its content; `entry` names the offending entry when there is one. */
export function archiveError(
  code: string,
  message: string,
  options: { entry?: string; kind?: ErrorKind; cause?: unknown; details?: Record<string, unknown> } = {},
): WebrunError {
  const entry = options.entry === undefined ? undefined : entryNameForMessage(options.entry);
  const details = { ...options.details, ...(entry === undefined ? {} : { entry }) };
  return new WebrunError({
    kind: options.kind ?? "invalid_input",
    code,
    message: entry === undefined ? message : `${message}: ${JSON.stringify(entry)}`,
    ...(Object.keys(details).length === 0 ? {} : { details }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

export function notTarGzError(cause?: unknown): WebrunError {
  return new WebrunError({
    kind: "invalid_input",
    code: "ARCHIVE_NOT_TAR_GZ",
    message: NOT_TAR_GZ_MESSAGE,
    cause,
  });
}
