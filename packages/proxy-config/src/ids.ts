import { z } from "zod";

/** An environment id: 24 hexadecimal characters (like `683a1f2e4b0c1d2e3f4a5b6c`), normalised to lowercase. */
export function environmentIdSchema(field: string) {
  const message = `${field} must be 24 hexadecimal characters`;
  return z
    .string({ error: (issue) => (issue.input === undefined ? undefined : message) })
    .regex(/^[0-9a-fA-F]{24}$/, { message })
    .transform((value) => value.toLowerCase());
}

/** An opaque id such as a file or policy id: 1–64 letters, digits, `_` or `-`. */
export function opaqueIdSchema(field: string) {
  const message = `${field} must be 1-64 letters, digits, '_' or '-'`;
  return z
    .string({ error: (issue) => (issue.input === undefined ? undefined : message) })
    .regex(/^[A-Za-z0-9_-]{1,64}$/, { message });
}
