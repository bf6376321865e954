import { errorAnswerSchema } from "@webrun/api-contract";
import { type ErrorKind, errorKinds, httpStatusByKind, WebrunError } from "@webrun/errors";
import { isLoopbackHost } from "@webrun/proxy-config";
import { apiClientError } from "./errors.js";

/**
 * The inverse of the one kind → status mapping, so an answer of the API
 * becomes the same WebrunError kind the server threw (and with it the CLI's
 * exit code: 1 for 4xx, 2 for 5xx). Statuses without a kind fall back by class.
 */
export function kindForStatus(status: number): ErrorKind {
  if (status >= 500) return status === 503 ? "unavailable" : "internal";
  return errorKinds.find((kind) => httpStatusByKind[kind] === status) ?? "invalid_input";
}

/** The contract's error answer, read leniently: a proxy or an older server may send no `code`. */
const errorAnswer = errorAnswerSchema.partial({ code: true });
/** What to do about an answer, by the API's error code: one clause after the API's own message. */
const nextSteps: Record<string, string> = {
  ENVIRONMENT_NOT_FOUND: "`webrun-env env list` shows your environments",
  VERSION_NOT_FOUND: "`webrun-env env versions <id>` lists the versions kept",
  FILE_NOT_FOUND: "`webrun-env files list --env <id>` lists an environment's files",
};

/**
 * A non-2xx answer as a WebrunError: the API's own message, code, field
 * issues and details for `{success:false, …}` bodies; a plain description
 * for anything else (a proxy's HTML page). Server failures name the API; a
 * refused key, an unknown id say what to do next. `keySource` says where the
 * key came from ("WEBRUN_API_KEY", "--key", a file), never the key.
 */
export function errorFromAnswer(
  status: number,
  body: unknown,
  apiUrl: string,
  keySource?: string,
): WebrunError {
  const parsed = errorAnswer.safeParse(body);
  const kind = kindForStatus(status);
  const serverMessage = parsed.success ? parsed.data.message : undefined;
  const code = parsed.success && parsed.data.code ? parsed.data.code : `HTTP_${status}`;
  const nextStep =
    status === 401
      ? `the API at ${apiUrl} does not accept the key ${keySource ? `from ${keySource}` : "given"}; set WEBRUN_API_KEY to one of the keys in its API_KEYS`
      : nextSteps[code];
  const message =
    status >= 500
      ? `the webrun API at ${apiUrl} failed (HTTP ${status})${serverMessage ? `: ${serverMessage}` : ""}`
      : `${serverMessage ?? `the webrun API at ${apiUrl} answered HTTP ${status}`}${nextStep ? `: ${nextStep}` : ""}`;
  return new WebrunError({
    kind,
    code,
    message,
    ...(parsed.success && parsed.data.issues ? { issues: parsed.data.issues } : {}),
    details: { status, ...(parsed.success ? parsed.data.details : {}) },
  });
}

/** The API could not be reached, or the connection broke mid-transfer: exit 2, naming the URL (never the key) and what to check. */
export function apiUnreachable(apiUrl: string, error: unknown): WebrunError {
  const reason = networkReason(error);
  return apiClientError({
    kind: "unavailable",
    code: "API_UNREACHABLE",
    message: `cannot reach the webrun API at ${apiUrl}: ${reason}; ${whatToCheck(apiUrl, reason)}`,
    cause: error,
  });
}

/** Nothing listening on this machine: start it (on the port asked for); anywhere else: check the address. */
function whatToCheck(apiUrl: string, reason: string): string {
  const url = new URL(apiUrl);
  if (reason !== reasons.ECONNREFUSED || !isLoopbackHost(url.hostname)) {
    return "check --api (or WEBRUN_API) and that the server is running";
  }
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `start it with \`${port === "8080" ? "" : `PORT=${port} `}pnpm start\``;
}

/** A 2xx answer that is not what the route documents: a wrong `--api`, or a server of another version. */
export function unexpectedAnswer(apiUrl: string, what: string, detail: string): WebrunError {
  return apiClientError({
    kind: "internal",
    code: "API_ANSWER_INVALID",
    message: `the webrun API at ${apiUrl} gave an unexpected answer to ${what}: ${detail}`,
  });
}

const reasons: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "the connection was reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "host name lookup failed",
  ETIMEDOUT: "the connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EPIPE: "the connection was closed",
  UND_ERR_SOCKET: "the connection was closed",
  UND_ERR_CONNECT_TIMEOUT: "the connection timed out",
  UND_ERR_HEADERS_TIMEOUT: "no answer in time",
  UND_ERR_BODY_TIMEOUT: "the answer stalled",
  ERR_TLS_CERT_ALTNAME_INVALID: "its TLS certificate does not match the host",
  DEPTH_ZERO_SELF_SIGNED_CERT: "its TLS certificate is self-signed",
  SELF_SIGNED_CERT_IN_CHAIN: "its TLS certificate is not trusted",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its TLS certificate is not trusted",
  CERT_HAS_EXPIRED: "its TLS certificate has expired",
};

/** fetch wraps the socket error in `cause` (sometimes twice); its code is the useful part. */
function networkReason(error: unknown): string {
  let innermost: unknown = error;
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && reasons[code]) return reasons[code];
    if (typeof code === "string") return code;
    innermost = current;
    current = (current as { cause?: unknown }).cause;
  }
  // undici's own refusals carry no code, only a short message ("bad port").
  const message = innermost instanceof Error ? innermost.message : "";
  return message && message !== "fetch failed" && message.length < 80 ? message : "the request failed";
}
