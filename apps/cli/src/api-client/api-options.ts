import { WebrunError } from "@webrun/errors";
import type { Command } from "commander";
import { ApiClient } from "./api-client.js";

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
    .option("--key <key>", "the API key (default: $WEBRUN_API_KEY, which keeps it out of the process list)");
  if (json) command.option("--json", "print the answer as one JSON line (for scripts)");
  return command;
}

/**
 * A client for the API named by `--api`/`WEBRUN_API` with the key of
 * `--key`/`WEBRUN_API_KEY`. A missing key or a malformed URL is a user
 * error (exit 1); no message ever contains the key.
 */
export function apiClientFrom(options: ApiOptions, env: NodeJS.ProcessEnv = process.env): ApiClient {
  const apiUrl = checkedApiUrl(options.api ?? nonEmpty(env.WEBRUN_API) ?? defaultApiUrl);
  const apiKey = options.key ?? nonEmpty(env.WEBRUN_API_KEY);
  if (apiKey === undefined || apiKey.trim() === "") {
    throw new WebrunError({
      kind: "invalid_input",
      code: "API_KEY_MISSING",
      message: "no API key: set WEBRUN_API_KEY (or pass --key)",
    });
  }
  if (/[\s\p{Cc}]/u.test(apiKey)) {
    throw new WebrunError({
      kind: "invalid_input",
      code: "API_KEY_INVALID",
      message: "the API key contains spaces or control characters",
    });
  }
  return new ApiClient({ apiUrl, apiKey });
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
  return new WebrunError({ kind: "invalid_input", code: "API_URL_INVALID", message });
}
