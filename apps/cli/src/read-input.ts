import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { WebrunError } from "@webrun/errors";
import { cliError } from "./errors.js";

/** Inputs read whole (JSON documents, small configs) stop at this size unless told otherwise. */
export const defaultMaxInputBytes = 16 * 1024 * 1024;

export interface ReadInputOptions {
  /** Refuse inputs larger than this many bytes (default 16 MiB). */
  maxBytes?: number;
  /** Where `-` reads from; tests pass their own stream. */
  stdin?: Readable;
}

/** How a source is named in messages: the path as given, or `stdin` for `-`. */
export function inputLabel(source: string): string {
  return source === "-" ? "stdin" : source;
}

/**
 * Reads a whole text input from a file path, or from stdin when `source` is
 * `-`. Failures are one-line WebrunErrors: a missing or unreadable file
 * (`INPUT_UNREADABLE`), an input over `maxBytes` (`INPUT_TOO_LARGE`).
 */
export async function readInput(source: string, options: ReadInputOptions = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? defaultMaxInputBytes;
  const label = inputLabel(source);
  const stream = source === "-" ? (options.stdin ?? process.stdin) : createReadStream(source);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      size += buffer.length;
      if (size > maxBytes) {
        stream.destroy();
        throw cliError({
          kind: "too_large",
          code: "INPUT_TOO_LARGE",
          message: `${label} is larger than ${maxBytes} bytes`,
        });
      }
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof WebrunError) throw error;
    throw cliError({
      kind: isMissing(error) ? "not_found" : "invalid_input",
      code: "INPUT_UNREADABLE",
      message: `cannot read ${label}: ${describeReadError(error)}`,
      cause: error,
    });
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * Reads an input (see {@link readInput}) and parses it as JSON. Invalid JSON
 * is an `INVALID_JSON` error giving the line and column, never a snippet of
 * the input (it may hold secrets).
 */
export async function readJsonInput(source: string, options: ReadInputOptions = {}): Promise<unknown> {
  const text = await readInput(source, options);
  try {
    // A UTF-8 byte order mark is not JSON, but editors write it.
    return JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw cliError({
      kind: "invalid_input",
      code: "INVALID_JSON",
      message: `${inputLabel(source)} is not valid JSON${whereJsonFailed(text, error)}`,
    });
  }
}

function whereJsonFailed(text: string, error: unknown): string {
  if (text.trim() === "") return " (it is empty)";
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : "")?.[1];
  if (position === undefined) return /end of JSON input/.test(String(error)) ? " (it ends too early)" : "";
  const before = text.slice(0, Number(position)).split("\n");
  return ` (line ${before.length}, column ${(before[before.length - 1] ?? "").length + 1})`;
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}

function describeReadError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "it is a directory";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
