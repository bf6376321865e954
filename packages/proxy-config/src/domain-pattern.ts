import { normaliseHostname } from "./host.js";

export type DomainPatternCheck = { ok: true; pattern: string } | { ok: false; message: string };

/**
 * A domain, or `*.domain` for every subdomain of it (not the domain itself),
 * normalised to lowercase punycode. Only a whole leftmost `*` label is a
 * wildcard, and it must cover at least a registrable-looking name
 * (`*.example.com`, not `*.com`). IP addresses and URLs are refused.
 */
export function checkDomainPattern(raw: string, field: string): DomainPatternCheck {
  const value = raw.trim();
  const expected = `${field} must be a domain such as example.com or *.example.com`;
  if (value === "") return { ok: false, message: `${field} must not be empty` };
  if (value.includes("://") || /[/?#@:]/.test(value)) return { ok: false, message: `${expected}, not a URL` };
  const wildcard = value.startsWith("*.");
  const base = wildcard ? value.slice(2) : value;
  if (base.includes("*"))
    return { ok: false, message: `${field} may use * only as the whole first label (*.example.com)` };
  const hostname = normaliseHostname(base);
  if (hostname === undefined) return { ok: false, message: expected };
  if (wildcard && !hostname.includes(".")) {
    return {
      ok: false,
      message: `${field} wildcard must cover a domain with at least two labels (*.example.com)`,
    };
  }
  return { ok: true, pattern: wildcard ? `*.${hostname}` : hostname };
}
