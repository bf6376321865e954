const maxNameLength = 255;

// C0/C1 controls, DEL, and the bidi/zero-width format characters that can make a name display as something else.
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const invisible = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * A client-supplied file name made safe to show and to echo in headers: the
 * last path segment only, no control or bidi characters, trimmed, at most 255
 * characters. It is display metadata and is never used as a path or key.
 */
export function sanitizeFileName(raw: string | undefined): string {
  const lastSegment = (raw ?? "").normalize("NFC").split(/[/\\]/).pop() ?? "";
  const cleaned = lastSegment.replace(invisible, "").trim();
  const name = cleaned === "." || cleaned === ".." ? "" : cleaned;
  // Cut by code points so a surrogate pair is never split.
  const capped = Array.from(name).slice(0, maxNameLength).join("");
  return capped.length > 0 ? capped : "file";
}
