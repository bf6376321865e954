import type { z } from "zod";

/** One problem in an input: `path` addresses the field (`proxy.port`, `task.secrets.0.match`). */
export interface FieldError {
  path: string;
  message: string;
}

/** What every parser here returns instead of throwing: a normalised value, or every problem found. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** The path shown for a problem with the input as a whole. */
export const rootPath = "(root)";

/** Joins a zod path into the dotted form of the contract (`task.secrets.0.match`). */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? rootPath : path.map(String).join(".");
}

/** The field a path ends in, skipping array indexes: `task.secrets.0` → `secrets`. */
export function fieldName(path: readonly PropertyKey[]): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const segment = path[i];
    if (typeof segment === "string") return segment;
  }
  return "input";
}

/**
 * Messages for the problems a schema did not describe itself. They name the
 * field and the expected kind of value, and never repeat the value given (it
 * may be a secret).
 */
function fallbackMessage(issue: z.core.$ZodRawIssue): string {
  const field = fieldName(issue.path ?? []);
  if (issue.input === undefined) return `${field} is required`;
  switch (issue.code) {
    case "invalid_type":
      return `${field} must be ${article(issue.expected)}`;
    case "invalid_value":
      return `${field} must be one of: ${issue.values.map(String).join(", ")}`;
    default:
      return `${field} is invalid`;
  }
}

function article(expected: string): string {
  if (expected === "object" || expected === "array" || expected === "integer") return `an ${expected}`;
  return `a ${expected}`;
}

/**
 * Runs a schema and turns its issues into {@link FieldError}s under `basePath`.
 * The order of errors follows the input; duplicates (same path and message) are dropped.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  basePath: readonly PropertyKey[] = [],
): ParseResult<z.output<S>> {
  const parsed = schema.safeParse(input, { error: fallbackMessage });
  if (parsed.success) return { ok: true, value: parsed.data };
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    const error = { path: formatPath([...basePath, ...issue.path]), message: issue.message };
    const key = `${error.path}\u0000${error.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    errors.push(error);
  }
  return { ok: false, errors };
}
