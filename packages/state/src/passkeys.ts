import { parse } from "tldts";
import { z } from "zod";

/**
 * Passkeys of a CDP virtual authenticator (the `WebAuthn` domain): the
 * credentials it holds, private keys included, and how the authenticator was
 * set up. The private keys are secrets like cookie values: they travel only
 * inside the state document, which is encrypted at rest with it.
 */

/** Credentials per document: far beyond any real use, well short of a bomb. */
export const maxPasskeys = 10_000;

const base64 = (maxBytes: number) =>
  z
    .string()
    .max(Math.ceil(maxBytes / 3) * 4)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, "must be base64");

/**
 * A relying party id: a host name the credential is scoped to, which a
 * browser accepts only for a registrable domain (or a subdomain of one) and
 * `localhost` — never an IP address, a public suffix (`com`, `github.io`), a
 * port or upper case.
 */
export const rpIdSchema = z
  .string()
  .max(253)
  .refine((value) => {
    const parsed = parse(value, { allowPrivateDomains: true });
    if (parsed.isIp || parsed.hostname !== value) return false;
    return value === "localhost" || parsed.domain !== null;
  }, "must be a registrable domain or a host under one (e.g. example.com, login.example.com), or localhost");

export const passkeySchema = z.strictObject({
  /** Base64, as CDP gives it. */
  credentialId: base64(1_023).min(1),
  rpId: rpIdSchema,
  /** The ECDSA P-256 private key, PKCS#8, base64: a secret. */
  privateKey: base64(4_096).min(1),
  /** The user handle (at most 64 bytes), base64. */
  userHandle: base64(64).optional(),
  /** -1: no counter, every assertion reports 0. */
  signCount: z.number().int().min(-1),
  /** Discoverable (a passkey in the strict sense): found without the site naming it. */
  isResidentCredential: z.boolean(),
  largeBlob: base64(1_048_576).optional(),
  backupEligibility: z.boolean().optional(),
  backupState: z.boolean().optional(),
  userName: z.string().max(1_024).optional(),
  userDisplayName: z.string().max(1_024).optional(),
});

/** How the virtual authenticator behaves; the defaults make a platform authenticator that verifies its user. */
export const authenticatorOptionsSchema = z.strictObject({
  protocol: z.enum(["ctap2", "u2f"]).default("ctap2"),
  ctap2Version: z.enum(["ctap2_0", "ctap2_1", "ctap2_2"]).optional(),
  transport: z.enum(["usb", "nfc", "ble", "cable", "hybrid", "smart-card", "internal"]).default("internal"),
  hasResidentKey: z.boolean().default(true),
  hasUserVerification: z.boolean().default(true),
  isUserVerified: z.boolean().default(true),
  hasLargeBlob: z.boolean().default(false),
});

export const webauthnStateSchema = z.strictObject({
  authenticator: authenticatorOptionsSchema.prefault({}),
  credentials: z.array(passkeySchema).max(maxPasskeys).default([]),
});

export type Passkey = z.infer<typeof passkeySchema>;
export type AuthenticatorOptions = z.infer<typeof authenticatorOptionsSchema>;
export type WebauthnState = z.infer<typeof webauthnStateSchema>;

/** The authenticator options a browser gets when none were captured. */
export function defaultAuthenticatorOptions(): AuthenticatorOptions {
  return authenticatorOptionsSchema.parse({});
}
