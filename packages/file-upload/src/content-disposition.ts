/**
 * A `Content-Disposition: attachment` value for a user-supplied name, safe to
 * put in a header: an ASCII `filename="…"` fallback with quotes, backslashes
 * and non-ASCII replaced, plus the exact name as RFC 5987 `filename*=UTF-8''…`
 * (RFC 6266). Nothing from the name can end the header or add a parameter.
 */
export function attachmentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeRfc5987(fileName)}`;
}

// RFC 5987 attr-char is ALPHA / DIGIT / "!#$&+-.^_`|~"; encodeURIComponent leaves '()* unescaped too.
function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
