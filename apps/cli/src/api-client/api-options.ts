import { readFileSync } from "node:fs";
import path from "node:path";
import { ApiClient } from "@webrun/api-client";
import type { WebrunError } from "@webrun/errors";
import { isLoopbackHost } from "@webrun/proxy-config";
import type { Command } from "commander";
import { cliError } from "../errors.js";

/** Where `pnpm start` listens unless told otherwise. */
export const defaultApiUrl = "http://127.0.0.1:8080";

/** The options every command that talks to the API shares. */
export interface ApiOptions {
  api?: string;
  key?: string;
}

/** Adds `--api` and `--key` to a command (and `--json` unless it always prints JSON). */
export function withApiOptions(command: Command, { json = true }: { json?: boolean } = {}): Command {
  command
    .option("--api <url>", `the webrun API (default: $WEBRUN_API, else ${defaultApiUrl})`)
    .option(
      "--key <key>",
      "the API key (default: $WEBRUN_API_KEY, which keeps it out of the process list; else, for an API on this machine, the key `pnpm start` keeps in $DATA_DIR/local-api.key)",
    );
  if (json) command.option("--json", "print the answer as one JSON line (for scripts)");
  return command;
}

/**
 * A client for the API named by `--api`/`WEBRUN_API` with the key of
 * `--key`/`WEBRUN_API_KEY`, or else, for an API on this machine, the local
 * key `pnpm start` keeps in DATA_DIR. A missing key or a malformed URL is a
 * user error (exit 1); no message ever contains the key.
 */
export function apiClientFrom(options: ApiOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const apiUrl = checkedApiUrl(options.api ?? nonEmpty(env.WEBRUN_API) ?? defaultApiUrl);
  const fromEnv = nonEmpty(env.WEBRUN_API_KEY);
  const given =
    options.key !== undefined
      ? { apiKey: options.key, keySource: "--key" }
      : fromEnv !== undefined
        ? { apiKey: fromEnv, keySource: "WEBRUN_API_KEY" }
        : localApiKey(apiUrl, env);
  if (given.apiKey.trim() === "") throw keyMissing("no API key: set WEBRUN_API_KEY (or pass --key)");
  if (/[\s\p{Cc}]/u.test(given.apiKey)) {
    throw cliError({
      kind: "invalid_input",
      code: "API_KEY_INVALID",
      message: `the API key from ${given.keySource} contains spaces or control characters`,
    });
  }
  return new ApiClient({ apiUrl, ...given });
}

/**
 * The key `pnpm start` makes for user `local` when it runs without API_KEYS:
 * `<DATA_DIR>/local-api.key`, DATA_DIR defaulting to `.data` as the API's
 * does (apps/api/src/local-api-key.ts writes it). Read only for an API on a
 * loopback address: it must never travel to another host.
 */
function localApiKey(apiUrl: string, env: NodeJS.ProcessEnv): { apiKey: string; keySource: string } {
  if (!isLoopbackHost(new URL(apiUrl).hostname)) {
    throw keyMissing(`no API key for ${apiUrl}: set WEBRUN_API_KEY (or pass --key)`);
  }
  const file = path.resolve(nonEmpty(env.DATA_DIR) ?? ".data", "local-api.key");
  try {
    return { apiKey: readFileSync(file, "utf8").trim(), keySource: file };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw keyMissing(
      code === "ENOENT"
        ? `no API key: set WEBRUN_API_KEY (or pass --key), or start the API here with \`pnpm start\` and no API_KEYS, which creates ${file}`
        : `cannot read the local API key ${file} (${code ?? "unreadable"}): set WEBRUN_API_KEY (or pass --key)`,
    );
  }
}

function keyMissing(message: string): WebrunError {
  return cliError({ kind: "invalid_input", code: "API_KEY_MISSING", message });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function checkedApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw badUrl("--api must be an http:// or https:// URL, like http://127.0.0.1:8080");
  }
  // Never echo a URL that carries credentials: they would end up in the terminal's scrollback.
  if (url.username !== "" || url.password !== "") {
    throw badUrl("--api must not contain a user name or password: give the key with WEBRUN_API_KEY or --key");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw badUrl(`--api must be an http:// or https:// URL, not ${url.protocol}`);
  }
  if (url.search !== "" || url.hash !== "") throw badUrl("--api must not have a query or fragment");
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

function badUrl(message: string): WebrunError {
  return cliError({ kind: "invalid_input", code: "API_URL_INVALID", message });
}
