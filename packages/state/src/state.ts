import { z } from "zod";
import { stateError } from "./errors.js";
import { webauthnStateSchema } from "./passkeys.js";

/**
 * BrowserState: the portable document at the centre of capture → store → seed.
 *
 * Version 1. Every field a consumer may rely on is here; anything Chromium
 * gives that we do not understand is dropped at capture rather than carried
 * blindly, so a stored state can always be re-validated.
 */
export const BROWSER_STATE_VERSION = 1;

/** Refuse documents that could only come from a bug or an attack, before they reach a browser. */
export const stateLimits = {
  cookies: 100_000,
  origins: 20_000,
  itemsPerArea: 100_000,
  extensions: 200,
  nameLength: 4_096,
  /** Chromium caps a cookie at 4096 bytes of name+value; leave room for odd encodings. */
  cookieValueLength: 16_384,
  /** localStorage quota is ~5 MiB of UTF-16 per origin: one value may take it all. */
  storageValueLength: 10 * 1024 * 1024,
} as const;

// biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
const controlCharacters = /[\u0000-\u0008\u000a-\u001f\u007f]/;

const cookieText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((value) => !controlCharacters.test(value), "must not contain control characters");

/** `https://host[:port]` or `http://…` — a serialised security origin, no path. */
export const originSchema = z
  .string()
  .max(2_048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
    } catch {
      return false;
    }
  }, "must be an origin like https://example.com or http://host:8080, without a path or trailing slash");

/**
 * A site (scheme + registrable domain) as Chromium writes it in partition
 * keys, e.g. `https://example.com`. Sites carry no port: a storage key
 * written with one is never matched by Chromium, so it is refused here.
 */
export const siteSchema = originSchema.refine(
  (value) => URL.canParse(value) && new URL(value).port === "",
  "must be a site like https://example.com, without a port",
);

export const cookiePartitionKeySchema = z.strictObject({
  topLevelSite: siteSchema,
  hasCrossSiteAncestor: z.boolean(),
});

/** `expires` of a session cookie: the one field that says a cookie is a session cookie. */
export const SESSION_COOKIE_EXPIRES = -1;

/**
 * A cookie. `expires` is the single source of truth for "session cookie"
 * (`-1`); `session` is derived from it on every parse, so the two never
 * disagree. Documents written before this rule carry both fields and still
 * parse; one whose `session` contradicts its `expires` is refused rather
 * than guessed at.
 */
export const cookieSchema = z
  .strictObject({
    name: cookieText(stateLimits.nameLength),
    value: cookieText(stateLimits.cookieValueLength),
    /** Leading dot for domain cookies (`.example.com`), bare host for host-only cookies. */
    domain: z.string().min(1).max(255),
    path: z.string().startsWith("/").max(stateLimits.nameLength),
    /** Seconds since the epoch; {@link SESSION_COOKIE_EXPIRES} (-1) for a session cookie. */
    expires: z.number(),
    httpOnly: z.boolean(),
    secure: z.boolean(),
    /**
     * Derived: `expires === -1`. A session cookie lives until the browser
     * closes; we keep it across sessions on purpose. Optional on input.
     */
    session: z.boolean().optional(),
    sameSite: z.enum(["Strict", "Lax", "None"]).optional(),
    priority: z.enum(["Low", "Medium", "High"]).optional(),
    sourceScheme: z.enum(["Unset", "NonSecure", "Secure"]).optional(),
    /** -1 when unknown, as CDP reports it. */
    sourcePort: z.number().int().min(-1).max(65_535).optional(),
    partitionKey: cookiePartitionKeySchema.optional(),
  })
  .refine((cookie) => cookie.session === undefined || cookie.session === isSessionExpiry(cookie.expires), {
    path: ["session"],
    message: "contradicts expires: a session cookie has expires -1, and only a session cookie does",
  })
  .transform((cookie) => ({ ...cookie, session: isSessionExpiry(cookie.expires) }));

function isSessionExpiry(expires: number): boolean {
  return expires === SESSION_COOKIE_EXPIRES;
}

export const storageItemSchema = z.strictObject({
  name: z.string().max(stateLimits.storageValueLength),
  value: z.string().max(stateLimits.storageValueLength),
});

/**
 * An IndexedDB key or value in typed JSON: plain JSON stands for itself;
 * other structured-clone types are objects tagged `{"$type": …}` (see
 * `typed-json.ts`). Validated by shape at restore time, in the page.
 */
export const typedJsonSchema: z.ZodType<unknown> = z.unknown();

const keyPathSchema = z.union([z.string(), z.array(z.string())]).nullable();

export const indexSchema = z.strictObject({
  name: z.string().max(stateLimits.nameLength),
  keyPath: keyPathSchema,
  unique: z.boolean(),
  multiEntry: z.boolean(),
});

export const objectStoreSchema = z.strictObject({
  name: z.string().max(stateLimits.nameLength),
  keyPath: keyPathSchema,
  autoIncrement: z.boolean(),
  indexes: z.array(indexSchema).max(1_000),
  records: z
    .array(z.strictObject({ key: typedJsonSchema, value: typedJsonSchema }))
    .max(stateLimits.itemsPerArea),
});

export const indexedDbDatabaseSchema = z.strictObject({
  name: z.string().max(stateLimits.nameLength),
  version: z.number().int().nonnegative(),
  objectStores: z.array(objectStoreSchema).max(1_000),
});

/**
 * The storage of one storage key. First-party storage has `origin` only;
 * storage of a third-party iframe under storage partitioning also has
 * `topLevelSite`, and Chromium's storage key is `<origin>/^0<topLevelSite>`.
 */
export const originStateSchema = z.strictObject({
  origin: originSchema,
  topLevelSite: siteSchema.optional(),
  localStorage: z.array(storageItemSchema).max(stateLimits.itemsPerArea).default([]),
  sessionStorage: z.array(storageItemSchema).max(stateLimits.itemsPerArea).default([]),
  indexedDB: z.array(indexedDbDatabaseSchema).max(1_000).default([]),
});

/** Extension ids are 32 letters a–p (a hash of the key or path, hex mapped to a–p). */
export const extensionIdSchema = z
  .string()
  .regex(/^[a-p]{32}$/, "must be 32 letters a-p (a Chrome extension id)");

export const extensionFileSchema = z.strictObject({
  /** Relative, `/`-separated, no `..`: checked again wherever it becomes a path. */
  path: z
    .string()
    .min(1)
    .max(1_024)
    .refine(
      (p) => !p.startsWith("/") && !p.split("/").some((s) => s === ".." || s === "" || s === "."),
      "must be a relative path without '..'",
    ),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** Present in a standalone JSON document; in an environment archive the bytes live in `extensions/<id>/<path>`. */
  contentBase64: z.string().optional(),
});

export const extensionStateSchema = z.strictObject({
  id: extensionIdSchema,
  name: z.string().max(stateLimits.nameLength),
  version: z.string().max(64),
  manifest: z.record(z.string(), z.unknown()),
  enabled: z.boolean().default(true),
  files: z.array(extensionFileSchema).max(10_000).default([]),
  /** `chrome.storage` areas: JSON values by key. */
  storage: z
    .strictObject({
      local: z.record(z.string(), z.unknown()).default({}),
      sync: z.record(z.string(), z.unknown()).default({}),
    })
    .default({ local: {}, sync: {} }),
});

export const browserStateSchema = z.strictObject({
  version: z.literal(BROWSER_STATE_VERSION),
  capturedAt: z.iso.datetime().optional(),
  /** What the state was captured from, for diagnostics only. */
  source: z
    .strictObject({
      product: z.string().max(256).optional(),
      userAgent: z.string().max(1_024).optional(),
    })
    .optional(),
  cookies: z.array(cookieSchema).max(stateLimits.cookies).default([]),
  origins: z.array(originStateSchema).max(stateLimits.origins).default([]),
  extensions: z.array(extensionStateSchema).max(stateLimits.extensions).default([]),
  /** Passkeys of the session's virtual authenticator; absent when it had none. */
  webauthn: webauthnStateSchema.optional(),
});

export type Cookie = z.infer<typeof cookieSchema>;
export type CookiePartitionKey = z.infer<typeof cookiePartitionKeySchema>;
export type StorageItem = z.infer<typeof storageItemSchema>;
export type IndexedDbIndex = z.infer<typeof indexSchema>;
export type IndexedDbObjectStore = z.infer<typeof objectStoreSchema>;
export type IndexedDbDatabase = z.infer<typeof indexedDbDatabaseSchema>;
export type OriginState = z.infer<typeof originStateSchema>;
export type ExtensionFile = z.infer<typeof extensionFileSchema>;
export type ExtensionState = z.infer<typeof extensionStateSchema>;
export type BrowserState = z.infer<typeof browserStateSchema>;
/** What callers may write: defaults filled in by {@link parseBrowserState}. */
export type BrowserStateInput = z.input<typeof browserStateSchema>;

export function emptyBrowserState(): BrowserState {
  return { version: BROWSER_STATE_VERSION, cookies: [], origins: [], extensions: [] };
}

/**
 * Validates untrusted input (a parsed JSON document) into a BrowserState.
 * Throws a WebrunError `STATE_INVALID` whose issues name each bad field by
 * path; values are never echoed, since they may be cookie secrets.
 */
export function parseBrowserState(input: unknown): BrowserState {
  const result = browserStateSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 50).map((issue) => ({
    path: issue.path.map(String).join(".") || "(root)",
    message: issue.message,
  }));
  const first = issues[0];
  throw stateError({
    kind: "invalid_input",
    code: "STATE_INVALID",
    message: first ? `invalid browser state: ${first.path}: ${first.message}` : "invalid browser state",
    issues,
  });
}
