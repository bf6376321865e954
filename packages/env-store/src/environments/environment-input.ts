import { ENVIRONMENT_NAME_REQUIRED } from "@webrun/api-contract";
import type { z } from "zod";
import { envStoreError } from "../errors.js";

/** Parses with the schema and turns the first problem into the contract's 400 message. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const first = issues[0];
  const message = first?.message ?? "Invalid environment";
  throw envStoreError({
    kind: "invalid_input",
    code: message === ENVIRONMENT_NAME_REQUIRED ? "ENVIRONMENT_NAME_REQUIRED" : "ENVIRONMENT_INPUT_INVALID",
    message,
    issues,
  });
}
