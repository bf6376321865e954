import { z } from "zod";
import { iso3166Alpha2Codes } from "./country-codes.js";
import { checkHost } from "./host.js";
import { decideLevel, proxyLevels } from "./level-rules.js";
import { type ParseResult, parseWith } from "./result.js";
import { pickKnown, strictObject } from "./strict-object.js";
import { singleLineString } from "./text.js";

const requiredOr = (message: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? undefined : message;

/** `random`, or an assigned ISO 3166-1 alpha-2 code; normalised to `US` / `random`. */
export const countrySchema = singleLineString("country", { maxLength: 16 }).transform((value, ctx) => {
  const trimmed = value.trim();
  if (trimmed.toLowerCase() === "random") return "random";
  const code = trimmed.toUpperCase();
  if (iso3166Alpha2Codes.has(code)) return code;
  ctx.issues.push({
    code: "custom",
    input: value,
    message: 'country must be an ISO 3166-1 alpha-2 code (such as US, GB, DE) or "random"',
  });
  return z.NEVER;
});

/** A TCP port 1–65535, given as a string (a number is accepted), normalised to a decimal string. */
export const portSchema = z
  .union([z.string(), z.number()], {
    error: requiredOr("port must be a number from 1 to 65535, given as a string"),
  })
  .transform((value, ctx) => {
    const text = typeof value === "number" ? String(value) : value.trim();
    const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isInteger(port) && port >= 1 && port <= 65535) return String(port);
    ctx.issues.push({ code: "custom", input: value, message: "port must be a number from 1 to 65535" });
    return z.NEVER;
  });

/** A proxy host: hostname, IPv4 or IPv6 (brackets optional), normalised; see `checkHost`. */
export const hostSchema = singleLineString("host", { maxLength: 255 }).transform((value, ctx) => {
  const checked = checkHost(value);
  if (checked.ok) return checked.host;
  ctx.issues.push({ code: "custom", input: value, message: checked.message });
  return z.NEVER;
});

const levelSchema = z.enum(proxyLevels, { error: requiredOr("level must be one of: system, chrome") });

// RFC 1929 caps SOCKS5 credentials at 255 bytes; HTTP Basic cannot carry a ':' in the username.
const usernameSchema = singleLineString("username", {
  maxLength: 255,
  check: (value) => {
    if (value === "") return "username must not be empty; omit it instead";
    return value.includes(":") ? "username must not contain ':'" : undefined;
  },
});
const passwordSchema = singleLineString("password", {
  maxLength: 255,
  check: (value) => (value === "" ? "password must not be empty; omit it instead" : undefined),
});

const webRunFields = {
  source: z.literal("WebRun"),
  country: countrySchema,
  level: levelSchema.optional(),
};

const customFields = {
  source: z.literal("custom"),
  type: z.enum(["http", "socks"], { error: requiredOr("type must be one of: http, socks") }),
  host: hostSchema,
  port: portSchema,
  username: usernameSchema.optional(),
  password: passwordSchema.optional(),
  level: levelSchema.optional(),
};

const onlyForCustom = (field: string) => `${field} applies only to source "custom"`;

const webRunProxyInput = strictObject(webRunFields, {
  foreignFields: {
    type: onlyForCustom("type"),
    host: onlyForCustom("host"),
    port: onlyForCustom("port"),
    username: `${onlyForCustom("username")}; the WebRun pool supplies its own credentials`,
    password: `${onlyForCustom("password")}; the WebRun pool supplies its own credentials`,
  },
});

const customProxyInput = strictObject(customFields, {
  foreignFields: { country: 'country applies only to source "WebRun"' },
}).superRefine((proxy, ctx) => {
  if (proxy.password !== undefined && proxy.username === undefined) {
    ctx.addIssue({ code: "custom", path: ["password"], message: "password requires username" });
  }
});

/**
 * The `proxy` session parameter: a WebRun managed proxy (`country`) or a
 * custom one (`type`, `host`, `port`, credentials), discriminated on
 * `source`. The output always carries a resolved `level` and `levelSource`.
 */
export const proxySchema = z
  .discriminatedUnion("source", [webRunProxyInput, customProxyInput], {
    error: (issue) => {
      const input = issue.input;
      if (typeof input !== "object" || input === null || Array.isArray(input))
        return "proxy must be an object";
      return (input as { source?: unknown }).source === undefined
        ? "source is required"
        : "source must be one of: WebRun, custom";
    },
  })
  .transform((input, ctx) => {
    if (input.source === "WebRun") {
      const proxy = pickKnown(input, webRunFields);
      const decision = decideLevel({ source: "WebRun", hasCredentials: false }, proxy.level);
      // Before the pool answers every level can work; the pool's answer is checked in toLaunchPlan.
      if (!decision.ok) throw new Error(decision.message);
      return { source: "WebRun" as const, country: proxy.country, ...levelOf(decision) };
    }
    const proxy = pickKnown(input, customFields);
    const decision = decideLevel(
      { source: "custom", type: proxy.type, hasCredentials: proxy.username !== undefined },
      proxy.level,
    );
    if (!decision.ok) {
      ctx.issues.push({ code: "custom", input, path: ["level"], message: decision.message });
      return z.NEVER;
    }
    return {
      source: "custom" as const,
      type: proxy.type,
      host: proxy.host,
      port: proxy.port,
      ...(proxy.username === undefined ? {} : { username: proxy.username }),
      ...(proxy.password === undefined ? {} : { password: proxy.password }),
      ...levelOf(decision),
    };
  });

function levelOf(decision: { level: "system" | "chrome"; levelSource: "given" | "default" }) {
  return { level: decision.level, levelSource: decision.levelSource };
}

/** A validated, normalised proxy (the output of {@link proxySchema}). */
export type ProxyConfig = z.output<typeof proxySchema>;
export type WebRunProxyConfig = Extract<ProxyConfig, { source: "WebRun" }>;
export type CustomProxyConfig = Extract<ProxyConfig, { source: "custom" }>;

/** Validates and normalises a `proxy` parameter; error paths start with `proxy`. */
export function parseProxy(input: unknown): ParseResult<ProxyConfig> {
  return parseWith(proxySchema, input, ["proxy"]);
}
