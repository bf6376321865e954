import { WebrunError } from "@webrun/errors";

/**
 * The one error for an encrypted object that does not authenticate: flipped
 * bits, truncation, reordered or swapped chunks, an object moved to another
 * key, a wrong or unknown master key. Callers cannot tell these apart on
 * purpose; none of them may ever yield plaintext.
 */
export function blobTampered(key: string, why: string, cause?: unknown): WebrunError {
  return new WebrunError({
    kind: "integrity",
    code: "BLOB_TAMPERED",
    message: `stored object ${key} failed authentication: ${why}`,
    cause,
  });
}

export function masterKeyInvalid(message: string): WebrunError {
  return new WebrunError({ kind: "invalid_input", code: "MASTER_KEY_INVALID", message });
}
