import { createHmac, timingSafeEqual } from "node:crypto";
import type { Keyring } from "@webrun/blob-store";
import type { WebrunError } from "@webrun/errors";
import { z } from "zod";
import { apiError } from "./errors.js";

/** What a download link grants: one version of one user's environment, until `expiresAt`. */
export interface DownloadGrant {
  userId: string;
  environmentId: string;
  version: number;
  expiresAt: Date;
}

/**
 * Signed download links (`/downloads/<token>`): the token is the grant as
 * base64url JSON, a dot, and its HMAC-SHA256. The HMAC key is derived from
 * the master keyring (HKDF, purpose `download-url`), never the master key
 * itself, and the token names the master key id it was derived from, so a
 * key rotation does not break links already handed out. Browser data is
 * encrypted at rest, so an S3 presigned URL would only hand out ciphertext:
 * the API serves these links itself, in both storage modes.
 */
export interface DownloadSigner {
  sign(grant: DownloadGrant): string;
  /** The grant of a valid token; a tampered one → 403 `DOWNLOAD_LINK_INVALID`, an expired one → 403 `DOWNLOAD_LINK_EXPIRED`. */
  verify(token: string, now?: Date): DownloadGrant;
}

const PURPOSE = "download-url";

const payloadSchema = z.strictObject({
  u: z.string().min(1),
  e: z.string().regex(/^[0-9a-f]{24}$/),
  v: z.number().int().positive(),
  x: z.number().int().positive(),
  k: z.string().min(1),
});

export function createDownloadSigner(keyring: Keyring): DownloadSigner {
  // Derived once per configured master key, up front: a key id read from an unverified token only ever
  // looks one up, so forged tokens cannot grow this map (or make us derive keys).
  const keys = new Map(keyring.keyIds.map((keyId) => [keyId, keyring.deriveKey(PURPOSE, keyId) as Buffer]));
  const mac = (key: Buffer, payload: string) => createHmac("sha256", key).update(payload).digest();

  return {
    sign(grant) {
      const keyId = keyring.activeKeyId;
      const payload = Buffer.from(
        JSON.stringify({
          u: grant.userId,
          e: grant.environmentId,
          v: grant.version,
          x: Math.floor(grant.expiresAt.getTime() / 1000),
          k: keyId,
        }),
      ).toString("base64url");
      return `${payload}.${mac(keys.get(keyId) as Buffer, payload).toString("base64url")}`;
    },
    verify(token, now = new Date()) {
      const [payload, signature, ...rest] = token.split(".");
      if (!payload || !signature || rest.length > 0) throw invalidLink();
      const claims = payloadSchema.safeParse(parseJson(Buffer.from(payload, "base64url").toString("utf8")));
      if (!claims.success) throw invalidLink();
      const key = keys.get(claims.data.k);
      const given = Buffer.from(signature, "base64url");
      const expected = key ? mac(key, payload) : undefined;
      if (!expected || given.length !== expected.length || !timingSafeEqual(given, expected))
        throw invalidLink();
      if (claims.data.x * 1000 <= now.getTime()) throw expiredLink();
      return {
        userId: claims.data.u,
        environmentId: claims.data.e,
        version: claims.data.v,
        expiresAt: new Date(claims.data.x * 1000),
      };
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function invalidLink(): WebrunError {
  return apiError({
    kind: "forbidden",
    code: "DOWNLOAD_LINK_INVALID",
    message: "Invalid download link",
  });
}

function expiredLink(): WebrunError {
  return apiError({
    kind: "forbidden",
    code: "DOWNLOAD_LINK_EXPIRED",
    message: "Download link expired",
  });
}
