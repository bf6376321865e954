import { z } from "zod";

/** C0 controls (newlines and tabs included), DEL and the C1 controls. */
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

const lineBreaksAndTab = new Set([0x09, 0x0a, 0x0d]);

/** True when a string holds a control character or a line break. */
export function hasControlCharacters(value: string): boolean {
  for (let i = 0; i < value.length; i++) if (isControl(value.charCodeAt(i))) return true;
  return false;
}

/** Like {@link hasControlCharacters}, but a multi-line text such as a prompt may keep \t, \n and \r. */
function hasControlCharactersBesidesLineBreaks(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (isControl(code) && !lineBreaksAndTab.has(code)) return true;
  }
  return false;
}

/**
 * A one-line string field: no control characters or newlines, which could
 * split a header, a log line or a command line built from it. `check` adds a
 * field-specific rule, run only when the basic ones pass.
 */
export function singleLineString(
  field: string,
  options: { maxLength?: number; check?: (value: string) => string | undefined } = {},
) {
  const maxLength = options.maxLength ?? 2048;
  return stringField(field, (value) => {
    if (hasControlCharacters(value)) return `${field} must not contain control characters or newlines`;
    if (value.length > maxLength) return `${field} must be at most ${maxLength} characters`;
    return options.check?.(value);
  });
}

/** A multi-line text field such as a prompt: line breaks and tabs are fine, other control characters are not. */
export function multiLineString(field: string, options: { maxLength: number }) {
  return stringField(field, (value) => {
    if (hasControlCharactersBesidesLineBreaks(value)) {
      return `${field} must not contain control characters other than line breaks and tabs`;
    }
    if (value.trim() === "") return `${field} must not be empty`;
    if (value.length > options.maxLength) return `${field} must be at most ${options.maxLength} characters`;
    return undefined;
  });
}

/**
 * A string checked by one function that returns the first problem, so a field
 * gets one message. (Zod's `abort: true` refinements would also stop the
 * enclosing object's unknown-field check, hiding those errors.)
 */
function stringField(field: string, problem: (value: string) => string | undefined) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? `${field} is required` : `${field} must be a string`),
    })
    .superRefine((value, ctx) => {
      const message = problem(value);
      if (message !== undefined) ctx.addIssue({ code: "custom", message });
    });
}
