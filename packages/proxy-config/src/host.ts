import { BlockList, isIP } from "node:net";

/** A host as a proxy or a secret pattern names it, normalised: lowercase, punycode, IPv6 without brackets. */
export type HostKind = "hostname" | "ipv4" | "ipv6";

export type HostCheck = { ok: true; host: string; kind: HostKind } | { ok: false; message: string };

const hostnameLabel = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const dottedDecimal = /^[0-9.]+$/;

/**
 * Checks a proxy host: a hostname, an IPv4 or an IPv6 address (bracketed or
 * bare) and nothing else. Anything that belongs in another field — a scheme,
 * credentials, a path, a port — gets a message saying which, and where it goes.
 * `field` names the field in messages.
 */
export function checkHost(raw: string, field = "host"): HostCheck {
  const value = raw.trim();
  if (value === "") return fail(`${field} must not be empty`);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes("://")) {
    return fail(`${field} must not include a scheme (such as http://); give the protocol as type`);
  }
  if (value.includes("@"))
    return fail(`${field} must not include credentials; put them in username and password`);
  if (/[/?#\\]/.test(value))
    return fail(`${field} must not include a path; give only the host name or IP address`);
  if (/\s/.test(value)) return fail(`${field} must not contain spaces`);
  if (value.startsWith("[")) return checkBracketedIpv6(value, field);
  const colons = value.split(":").length - 1;
  if (colons === 1) return fail(portMessage(field));
  if (colons > 1) return checkIpv6(value, field);
  if (dottedDecimal.test(value)) return checkIpv4(value, field);
  const hostname = normaliseHostname(value);
  if (hostname === undefined) return fail(`${field} must be a hostname, an IPv4 address or an IPv6 address`);
  return { ok: true, host: hostname, kind: "hostname" };
}

/**
 * A DNS hostname in canonical form (lowercase, punycode for international
 * names, no trailing dot), or undefined when it is not one: labels of letters,
 * digits and inner hyphens, at most 63 characters each and 253 in all.
 */
export function normaliseHostname(raw: string): string | undefined {
  let name = raw.toLowerCase().replace(/\.$/, "");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the range is the ASCII set itself
  if (/[^\u0000-\u007f]/.test(name)) {
    const ascii = toPunycode(name);
    if (ascii === undefined) return undefined;
    name = ascii;
  }
  if (name.length === 0 || name.length > 253) return undefined;
  const labels = name.split(".");
  if (!labels.every((label) => hostnameLabel.test(label))) return undefined;
  // An all-numeric last label would read as an IP address.
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? "")) return undefined;
  return name;
}

function toPunycode(name: string): string | undefined {
  try {
    const hostname = new URL(`http://${name}/`).hostname;
    return hostname.startsWith("xn--") || hostname.includes(".xn--") ? hostname : undefined;
  } catch {
    return undefined;
  }
}

const loopback = new BlockList();
loopback.addSubnet("127.0.0.0", 8, "ipv4");
loopback.addAddress("::1", "ipv6");

/**
 * True when `host` names this machine only: `localhost`, 127.0.0.0/8, `::1`
 * (bare or bracketed, as `URL.hostname` gives it, IPv4-mapped too). Any other
 * name may resolve elsewhere, and `0.0.0.0`/`::` listen on every interface.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (bare === "localhost") return true;
  const family = isIP(bare);
  return family !== 0 && loopback.check(bare, family === 4 ? "ipv4" : "ipv6");
}

function checkBracketedIpv6(value: string, field: string): HostCheck {
  const match = /^\[([^\]]*)\](.*)$/.exec(value);
  if (match === null) return fail(`${field} is not a valid IPv6 address`);
  const rest = match[2] ?? "";
  if (rest.startsWith(":")) return fail(portMessage(field));
  if (rest !== "") return fail(`${field} is not a valid IPv6 address`);
  return checkIpv6(match[1] ?? "", field);
}

function checkIpv6(value: string, field: string): HostCheck {
  // Zone ids (fe80::1%eth0) are local to one machine and useless to a remote browser.
  if (!/^[0-9a-f:.]+$/i.test(value)) return fail(`${field} is not a valid IPv6 address`);
  try {
    const bracketed = new URL(`http://[${value}]/`).hostname;
    return { ok: true, host: bracketed.slice(1, -1), kind: "ipv6" };
  } catch {
    return fail(`${field} is not a valid IPv6 address`);
  }
}

function checkIpv4(value: string, field: string): HostCheck {
  const octets = value.split(".");
  // Leading zeros are refused: some resolvers read them as octal.
  const valid =
    octets.length === 4 &&
    octets.every((octet) => /^(0|[1-9][0-9]{0,2})$/.test(octet) && Number(octet) <= 255);
  return valid ? { ok: true, host: value, kind: "ipv4" } : fail(`${field} is not a valid IPv4 address`);
}

function portMessage(field: string): string {
  return `${field} must not include a port; put it in port`;
}

function fail(message: string): HostCheck {
  return { ok: false, message };
}
