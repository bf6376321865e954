import { z } from "zod";
import { suggestField } from "./did-you-mean.js";

/** Keys that are not fields of this object but are of a sibling variant, with the message to give. */
export type ForeignFields = Readonly<Record<string, string>>;

/**
 * An object schema that rejects every unknown key with an error at that key
 * (`proxy.contry: unknown field "contry"; did you mean country?`), reported
 * together with the other field errors rather than after them. `foreignFields`
 * gives a better message for keys that belong to another variant (e.g. `host`
 * on a WebRun proxy). Unknown keys are dropped from the output by `pickKnown`.
 */
export function strictObject<Shape extends z.ZodRawShape>(
  shape: Shape,
  options: { foreignFields?: ForeignFields } = {},
) {
  const known = Object.keys(shape);
  const foreign = options.foreignFields ?? {};
  return z.looseObject(shape).superRefine(
    (value, ctx) => {
      // With `when` this runs even for a non-object input, which already has its own error.
      if (typeof value !== "object" || value === null || Array.isArray(value)) return;
      for (const key of Object.keys(value)) {
        if (known.includes(key)) continue;
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: foreign[key] ?? unknownFieldMessage(key, known),
        });
      }
    },
    // Run even when fields failed, so one pass reports everything.
    { when: () => true },
  );
}

/** Copies only the declared keys, so unknown ones never reach the normalised value. */
export function pickKnown<T extends object>(value: T, shape: z.ZodRawShape): T {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(shape)) {
    const field = (value as Record<string, unknown>)[key];
    if (field !== undefined) picked[key] = field;
  }
  return picked as T;
}

function unknownFieldMessage(key: string, known: readonly string[]): string {
  // JSON quoting escapes control characters; long keys are cut so a message stays one short line.
  const shown = JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}…` : key);
  const suggestion = suggestField(key, known);
  return suggestion === undefined
    ? `unknown field ${shown}`
    : `unknown field ${shown}; did you mean ${suggestion}?`;
}
