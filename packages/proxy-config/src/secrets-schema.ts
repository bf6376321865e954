import { z } from "zod";
import { checkDomainPattern } from "./domain-pattern.js";
import { strictObject } from "./strict-object.js";
import { hasControlCharacters } from "./text.js";

const secretFieldName = /^[A-Za-z0-9_.-]{1,64}$/;
const maxSecrets = 50;
const maxFieldsPerSecret = 20;
const maxSecretValueLength = 4096;

/** `all`, a domain or `*.domain`, normalised to lowercase. */
const matchSchema = z.string({ error: "match must be a string" }).transform((value, ctx) => {
  if (value.trim().toLowerCase() === "all") return "all";
  const checked = checkDomainPattern(value, "match");
  if (checked.ok) return checked.pattern;
  ctx.issues.push({ code: "custom", input: value, message: `${checked.message}, or all` });
  return z.NEVER;
});

/**
 * Secret name → value. Messages name the offending field but never repeat a
 * value, not even a wrong-typed one.
 */
const fieldsSchema = z
  .record(z.string(), z.unknown(), {
    error: (issue) =>
      issue.input === undefined ? "fields is required" : "fields must be an object of secret names to values",
  })
  .transform((fields, ctx) => {
    const names = Object.keys(fields);
    if (names.length === 0)
      ctx.issues.push({ code: "custom", input: fields, message: "fields must name at least one secret" });
    if (names.length > maxFieldsPerSecret) {
      ctx.issues.push({
        code: "custom",
        input: fields,
        message: `fields may hold at most ${maxFieldsPerSecret} secrets`,
      });
    }
    for (const name of names) {
      if (!secretFieldName.test(name)) {
        const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
        ctx.issues.push({
          code: "custom",
          input: fields,
          message: `secret name ${shown} must be 1-64 letters, digits, '_', '-' or '.'`,
        });
        continue;
      }
      const problem = secretValueProblem(fields[name]);
      if (problem !== undefined)
        ctx.issues.push({ code: "custom", input: fields, path: [name], message: problem });
    }
    return fields as Record<string, string>;
  });

function secretValueProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "secret values must be strings";
  if (value === "") return "secret values must not be empty";
  if (hasControlCharacters(value)) return "secret values must not contain control characters or newlines";
  if (value.length > maxSecretValueLength)
    return `secret values must be at most ${maxSecretValueLength} characters`;
  return undefined;
}

/** Credentials the agent may use on matching sites; one entry per `match`. */
export const secretsSchema = z
  .array(strictObject({ match: matchSchema, fields: fieldsSchema }), {
    error: "secrets must be an array of {match, fields}",
  })
  .max(maxSecrets, { message: `secrets may list at most ${maxSecrets} entries` })
  .superRefine((secrets, ctx) => {
    const firstIndexByMatch = new Map<string, number>();
    secrets.forEach((secret, index) => {
      const first = firstIndexByMatch.get(secret.match);
      if (first === undefined) firstIndexByMatch.set(secret.match, index);
      else {
        ctx.addIssue({
          code: "custom",
          path: [index, "match"],
          message: `match ${secret.match} is already used by secrets.${first}; merge their fields`,
        });
      }
    });
  });
