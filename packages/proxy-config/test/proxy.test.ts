import { describe, expect, it } from "vitest";
import { type FieldError, parseProxy } from "../src/index.js";

const custom = { source: "custom", type: "http", host: "proxy.example.com", port: "8080" } as const;

describe("parseProxy accepts and normalises", () => {
  it.each([
    [
      "WebRun, lowercase country",
      { source: "WebRun", country: "us" },
      { source: "WebRun", country: "US", level: "chrome", levelSource: "default" },
    ],
    [
      "WebRun, RANDOM",
      { source: "WebRun", country: "RANDOM" },
      { source: "WebRun", country: "random", level: "chrome", levelSource: "default" },
    ],
    [
      "WebRun, padded country, level system",
      { source: "WebRun", country: " de ", level: "system" },
      { source: "WebRun", country: "DE", level: "system", levelSource: "given" },
    ],
    [
      "WebRun, Åland Islands (a less common assigned code)",
      { source: "WebRun", country: "ax" },
      { source: "WebRun", country: "AX", level: "chrome", levelSource: "default" },
    ],
    [
      "custom http, hostname lowercased, numeric port",
      { ...custom, host: "Proxy.Example.COM", port: 8080 },
      { ...custom, level: "chrome", levelSource: "default" },
    ],
    [
      "custom http with credentials stays at chrome",
      { ...custom, username: "alice", password: "pw" },
      { ...custom, username: "alice", password: "pw", level: "chrome", levelSource: "default" },
    ],
    [
      "custom http, username without password",
      { ...custom, username: "alice" },
      { ...custom, username: "alice", level: "chrome", levelSource: "default" },
    ],
    [
      "custom socks without credentials defaults to chrome",
      { ...custom, type: "socks", port: "1080" },
      { ...custom, type: "socks", port: "1080", level: "chrome", levelSource: "default" },
    ],
    [
      "custom socks with credentials defaults to system",
      { ...custom, type: "socks", port: "1080", username: "u", password: "p" },
      {
        ...custom,
        type: "socks",
        port: "1080",
        username: "u",
        password: "p",
        level: "system",
        levelSource: "default",
      },
    ],
    [
      "custom socks with credentials at system, given",
      { ...custom, type: "socks", username: "u", password: "p", level: "system" },
      { ...custom, type: "socks", username: "u", password: "p", level: "system", levelSource: "given" },
    ],
    [
      "custom http, level chrome given",
      { ...custom, level: "chrome" },
      { ...custom, level: "chrome", levelSource: "given" },
    ],
    [
      "bracketed IPv6, compressed and lowercased",
      { ...custom, host: "[2001:DB8:0:0:0:0:0:1]" },
      { ...custom, host: "2001:db8::1", level: "chrome", levelSource: "default" },
    ],
    [
      "bare IPv6",
      { ...custom, host: "::1" },
      { ...custom, host: "::1", level: "chrome", levelSource: "default" },
    ],
    [
      "IPv4",
      { ...custom, host: "10.0.0.1" },
      { ...custom, host: "10.0.0.1", level: "chrome", levelSource: "default" },
    ],
    [
      "port with leading zero and spaces",
      { ...custom, port: " 08080 " },
      { ...custom, port: "8080", level: "chrome", levelSource: "default" },
    ],
    [
      "highest port",
      { ...custom, port: "65535" },
      { ...custom, port: "65535", level: "chrome", levelSource: "default" },
    ],
    [
      "international hostname to punycode",
      { ...custom, host: "bücher.example" },
      { ...custom, host: "xn--bcher-kva.example", level: "chrome", levelSource: "default" },
    ],
    [
      "trailing dot and surrounding spaces dropped",
      { ...custom, host: " proxy.example.com. " },
      { ...custom, level: "chrome", levelSource: "default" },
    ],
    [
      "single-label hostname",
      { ...custom, host: "squid" },
      { ...custom, host: "squid", level: "chrome", levelSource: "default" },
    ],
  ])("%s", (_name, input, expected) => {
    expect(parseProxy(input)).toEqual({ ok: true, value: expected });
  });
});

const errors = (...pairs: [string, string][]): FieldError[] =>
  pairs.map(([path, message]) => ({ path, message }));

describe("parseProxy refuses, naming the field", () => {
  it.each([
    [
      "a typo in a field name, with a suggestion",
      { source: "WebRun", country: "US", contry: "US" },
      errors(["proxy.contry", 'unknown field "contry"; did you mean country?']),
    ],
    [
      "an unknown field without a close match",
      { ...custom, colour: "blue" },
      errors(["proxy.colour", 'unknown field "colour"']),
    ],
    [
      "a custom field on a WebRun proxy",
      { source: "WebRun", country: "US", host: "proxy.example.com" },
      errors(["proxy.host", 'host applies only to source "custom"']),
    ],
    [
      "credentials on a WebRun proxy",
      { source: "WebRun", country: "US", password: "pw" },
      errors([
        "proxy.password",
        'password applies only to source "custom"; the WebRun pool supplies its own credentials',
      ]),
    ],
    [
      "country on a custom proxy",
      { ...custom, country: "US" },
      errors(["proxy.country", 'country applies only to source "WebRun"']),
    ],
    [
      "an unassigned country code",
      { source: "WebRun", country: "ZZ" },
      errors([
        "proxy.country",
        'country must be an ISO 3166-1 alpha-2 code (such as US, GB, DE) or "random"',
      ]),
    ],
    [
      "a reserved, not assigned, code",
      { source: "WebRun", country: "UK" },
      errors([
        "proxy.country",
        'country must be an ISO 3166-1 alpha-2 code (such as US, GB, DE) or "random"',
      ]),
    ],
    [
      "an alpha-3 country code",
      { source: "WebRun", country: "USA" },
      errors([
        "proxy.country",
        'country must be an ISO 3166-1 alpha-2 code (such as US, GB, DE) or "random"',
      ]),
    ],
    ["a missing country", { source: "WebRun" }, errors(["proxy.country", "country is required"])],
    [
      "a country that is not a string",
      { source: "WebRun", country: 1 },
      errors(["proxy.country", "country must be a string"]),
    ],
    [
      "a newline in country",
      { source: "WebRun", country: "U\nS" },
      errors(["proxy.country", "country must not contain control characters or newlines"]),
    ],
    ["a missing source", { country: "US" }, errors(["proxy.source", "source is required"])],
    [
      "a source in the wrong case",
      { source: "webrun", country: "US" },
      errors(["proxy.source", "source must be one of: WebRun, custom"]),
    ],
    ["null", null, errors(["proxy", "proxy must be an object"])],
    ["an array", [custom], errors(["proxy", "proxy must be an object"])],
    ["a URL string", "http://proxy.example.com:8080", errors(["proxy", "proxy must be an object"])],
    [
      "an unknown type",
      { ...custom, type: "https" },
      errors(["proxy.type", "type must be one of: http, socks"]),
    ],
    [
      "a custom proxy with only its source",
      { source: "custom" },
      errors(
        ["proxy.type", "type is required"],
        ["proxy.host", "host is required"],
        ["proxy.port", "port is required"],
      ),
    ],
    [
      "a scheme in host",
      { ...custom, host: "http://proxy.example.com" },
      errors(["proxy.host", "host must not include a scheme (such as http://); give the protocol as type"]),
    ],
    [
      "a socks5 scheme in host",
      { ...custom, host: "socks5://proxy.example.com" },
      errors(["proxy.host", "host must not include a scheme (such as http://); give the protocol as type"]),
    ],
    [
      "a port in host",
      { ...custom, host: "proxy.example.com:8080" },
      errors(["proxy.host", "host must not include a port; put it in port"]),
    ],
    [
      "a port after a bracketed IPv6 host",
      { ...custom, host: "[::1]:8080" },
      errors(["proxy.host", "host must not include a port; put it in port"]),
    ],
    [
      "credentials in host",
      { ...custom, host: "user:pw@proxy.example.com" },
      errors(["proxy.host", "host must not include credentials; put them in username and password"]),
    ],
    [
      "a path in host",
      { ...custom, host: "proxy.example.com/pac" },
      errors(["proxy.host", "host must not include a path; give only the host name or IP address"]),
    ],
    ["an empty host", { ...custom, host: "  " }, errors(["proxy.host", "host must not be empty"])],
    [
      "a space inside host",
      { ...custom, host: "proxy example.com" },
      errors(["proxy.host", "host must not contain spaces"]),
    ],
    [
      "a header injection attempt in host",
      { ...custom, host: "proxy.example.com\r\nX-Evil: 1" },
      errors(["proxy.host", "host must not contain control characters or newlines"]),
    ],
    [
      "an IPv4 octet above 255",
      { ...custom, host: "256.1.1.1" },
      errors(["proxy.host", "host is not a valid IPv4 address"]),
    ],
    [
      "an IPv4 octet with a leading zero",
      { ...custom, host: "010.0.0.1" },
      errors(["proxy.host", "host is not a valid IPv4 address"]),
    ],
    [
      "an IPv4 address with three parts",
      { ...custom, host: "10.0.1" },
      errors(["proxy.host", "host is not a valid IPv4 address"]),
    ],
    [
      "an unclosed IPv6 bracket",
      { ...custom, host: "[::1" },
      errors(["proxy.host", "host is not a valid IPv6 address"]),
    ],
    [
      "an IPv6 zone id",
      { ...custom, host: "fe80::1%eth0" },
      errors(["proxy.host", "host is not a valid IPv6 address"]),
    ],
    [
      "an IPv6 address with too many groups",
      { ...custom, host: "1:2:3:4:5:6:7:8:9" },
      errors(["proxy.host", "host is not a valid IPv6 address"]),
    ],
    [
      "a hyphen at a label's edge",
      { ...custom, host: "-proxy.example.com" },
      errors(["proxy.host", "host must be a hostname, an IPv4 address or an IPv6 address"]),
    ],
    [
      "an underscore in a hostname",
      { ...custom, host: "my_proxy.example.com" },
      errors(["proxy.host", "host must be a hostname, an IPv4 address or an IPv6 address"]),
    ],
    [
      "a label longer than 63 characters",
      { ...custom, host: `${"a".repeat(64)}.example.com` },
      errors(["proxy.host", "host must be a hostname, an IPv4 address or an IPv6 address"]),
    ],
    ["port 0", { ...custom, port: "0" }, errors(["proxy.port", "port must be a number from 1 to 65535"])],
    [
      "port 65536",
      { ...custom, port: 65536 },
      errors(["proxy.port", "port must be a number from 1 to 65535"]),
    ],
    [
      "a port with letters",
      { ...custom, port: "80a" },
      errors(["proxy.port", "port must be a number from 1 to 65535"]),
    ],
    [
      "a fractional port",
      { ...custom, port: 80.5 },
      errors(["proxy.port", "port must be a number from 1 to 65535"]),
    ],
    [
      "a negative port",
      { ...custom, port: -1 },
      errors(["proxy.port", "port must be a number from 1 to 65535"]),
    ],
    [
      "an empty port",
      { ...custom, port: "" },
      errors(["proxy.port", "port must be a number from 1 to 65535"]),
    ],
    [
      "a port of the wrong type",
      { ...custom, port: true },
      errors(["proxy.port", "port must be a number from 1 to 65535, given as a string"]),
    ],
    [
      "password without username",
      { ...custom, password: "pw" },
      errors(["proxy.password", "password requires username"]),
    ],
    [
      "an empty username",
      { ...custom, username: "", password: "pw" },
      errors(["proxy.username", "username must not be empty; omit it instead"]),
    ],
    [
      "a colon in username",
      { ...custom, username: "a:b" },
      errors(["proxy.username", "username must not contain ':'"]),
    ],
    [
      "an empty password",
      { ...custom, username: "alice", password: "" },
      errors(["proxy.password", "password must not be empty; omit it instead"]),
    ],
    [
      "a password longer than SOCKS5 allows",
      { ...custom, username: "alice", password: "p".repeat(256) },
      errors(["proxy.password", "password must be at most 255 characters"]),
    ],
    [
      "a tab in password",
      { ...custom, username: "alice", password: "p\tw" },
      errors(["proxy.password", "password must not contain control characters or newlines"]),
    ],
    [
      "a SOCKS proxy with credentials at chrome level",
      { ...custom, type: "socks", username: "u", password: "p", level: "chrome" },
      errors([
        "proxy.level",
        "level chrome cannot work for a SOCKS proxy with credentials: Chrome has no SOCKS authentication; use level system or remove the credentials",
      ]),
    ],
    [
      "an unknown level",
      { ...custom, level: "browser" },
      errors(["proxy.level", "level must be one of: system, chrome"]),
    ],
    [
      "several problems at once, all reported",
      { ...custom, host: "http://x", port: "0", usrname: "u" },
      errors(
        ["proxy.host", "host must not include a scheme (such as http://); give the protocol as type"],
        ["proxy.port", "port must be a number from 1 to 65535"],
        ["proxy.usrname", 'unknown field "usrname"; did you mean username?'],
      ),
    ],
  ])("%s", (_name, input, expected) => {
    expect(parseProxy(input)).toEqual({ ok: false, errors: expected });
  });
});

describe("proxy secrets stay out of error messages", () => {
  const secret = "Sup3rSecret";
  it.each([
    ["password without username", { ...custom, password: secret }],
    ["password with a newline", { ...custom, username: "u", password: `${secret}\n` }],
    ["password too long", { ...custom, username: "u", password: secret.repeat(30) }],
    ["credentials inside host", { ...custom, host: `u:${secret}@proxy.example.com` }],
    ["password on a WebRun proxy", { source: "WebRun", country: "US", password: secret }],
    ["other problems alongside a password", { ...custom, port: "x", username: "u", password: secret }],
  ])("%s", (_name, input) => {
    const result = parseProxy(input);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(secret);
  });
});
