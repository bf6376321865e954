/**
 * The category of a failure. It decides how every edge reports it (the HTTP
 * layer maps a kind to a status code, the CLI to an exit code) without the
 * edge knowing each package's individual errors.
 */
export const errorKinds = [
  "invalid_input",
  "unauthorized",
  "forbidden",
  "not_found",
  "conflict",
  "precondition_failed",
  "too_large",
  "unsupported_media_type",
  "limit_exceeded",
  "unavailable",
  "integrity",
  "internal",
] as const;

export type ErrorKind = (typeof errorKinds)[number];

/** One problem found in an input, addressed by the path of the offending field. */
export interface FieldIssue {
  path: string;
  message: string;
}

export interface WebrunErrorOptions<Code extends string = string> {
  kind: ErrorKind;
  /** Stable, SCREAMING_SNAKE identifier that clients and tests may rely on. */
  code: Code;
  message: string;
  issues?: readonly FieldIssue[];
  /** Public, secret-free details a client may act on (e.g. the current version). */
  details?: Readonly<Record<string, unknown>>;
  cause?: unknown;
}

/**
 * The one error type our packages throw on purpose. `message` is written for
 * the person reading it and never contains a secret; `cause` may, so it is
 * kept for debugging but never serialised by {@link toErrorBody}.
 *
 * `Code` is the union of the throwing package's codes (declared in its
 * `errors.ts`); edges that handle any error use the default, `string`.
 */
export class WebrunError<Code extends string = string> extends Error {
  readonly kind: ErrorKind;
  readonly code: Code;
  readonly issues: readonly FieldIssue[];
  readonly details: Readonly<Record<string, unknown>>;

  constructor(options: WebrunErrorOptions<Code>) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "WebrunError";
    this.kind = options.kind;
    this.code = options.code;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }
}

export function isWebrunError<Code extends string = string>(
  value: unknown,
  code?: Code,
): value is WebrunError<Code> {
  return value instanceof WebrunError && (code === undefined || value.code === code);
}

/**
 * The constructor a package makes all its errors with, typed by the union of
 * its codes, so a misspelt or undeclared code does not compile:
 * `export const envStoreError = errorFactory<EnvStoreErrorCode>();`
 */
export function errorFactory<Code extends string>(): (
  options: WebrunErrorOptions<Code>,
) => WebrunError<Code> {
  return (options) => new WebrunError(options);
}

/** The JSON a client sees for an error: the contract's `{success:false, message}` plus our code. */
export interface ErrorBody {
  success: false;
  message: string;
  code: string;
  issues?: FieldIssue[];
  details?: Record<string, unknown>;
}

export function toErrorBody(error: WebrunError): ErrorBody {
  return {
    success: false,
    message: error.message,
    code: error.code,
    ...(error.issues.length > 0 ? { issues: [...error.issues] } : {}),
    ...(Object.keys(error.details).length > 0 ? { details: { ...error.details } } : {}),
  };
}
