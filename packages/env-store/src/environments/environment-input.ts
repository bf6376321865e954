import { WebrunError } from "@webrun/errors";
import { z } from "zod";

export const NAME_MAX = 100;
export const DESCRIPTION_MAX = 500;

const nameRequired = "Environment name is required";

/** `POST /environments` and update bodies: the contract's messages, names trimmed. */
export const environmentInputSchema = z.object({
  name: z
    .string({ error: nameRequired })
    .trim()
    .min(1, nameRequired)
    .max(NAME_MAX, `Environment name must be at most ${NAME_MAX} characters`),
  description: z
    .string({ error: "Environment description must be a string" })
    .trim()
    .max(DESCRIPTION_MAX, `Environment description must be at most ${DESCRIPTION_MAX} characters`)
    .optional(),
});
export type EnvironmentInput = z.input<typeof environmentInputSchema>;

export const environmentUpdateSchema = environmentInputSchema.partial();
export type EnvironmentUpdate = z.input<typeof environmentUpdateSchema>;

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
  throw new WebrunError({
    kind: "invalid_input",
    code: message === nameRequired ? "ENVIRONMENT_NAME_REQUIRED" : "ENVIRONMENT_INPUT_INVALID",
    message,
    issues,
  });
}
