import { randomBytes } from "node:crypto";
import { keyringFromConfig } from "@webrun/blob-store";
import { describe, expect, it, vi } from "vitest";
import { createDownloadSigner } from "../src/signed-downloads.js";

const keyring = () =>
  keyringFromConfig({
    masterKeys: `k1:${randomBytes(32).toString("base64")},k2:${randomBytes(32).toString("base64")}`,
    activeKeyId: "k2",
  });

const grant = {
  userId: "alice",
  environmentId: "683a1f2e4b0c1d2e3f4a5b6c",
  version: 3,
  expiresAt: new Date(Date.now() + 60_000),
};

/** A well-formed token naming `keyId`, with a signature that cannot be right. */
function forged(keyId: string): string {
  const payload = Buffer.from(
    JSON.stringify({ u: "mallory", e: grant.environmentId, v: 1, x: 4_102_444_800, k: keyId }),
  ).toString("base64url");
  return `${payload}.${randomBytes(32).toString("base64url")}`;
}

describe("signed download links", () => {
  it("verify what they sign, across a rotation, and refuse tampering and expiry", () => {
    const ring = keyring();
    const signer = createDownloadSigner(ring);
    const token = signer.sign(grant);
    expect(signer.verify(token)).toEqual({
      ...grant,
      expiresAt: new Date(Math.floor(grant.expiresAt.getTime() / 1000) * 1000),
    });
    expect(() => signer.verify(forged("k2"))).toThrow(
      expect.objectContaining({ code: "DOWNLOAD_LINK_INVALID" }),
    );
    expect(() => signer.verify(token, new Date(grant.expiresAt.getTime() + 1000))).toThrow(
      expect.objectContaining({ code: "DOWNLOAD_LINK_EXPIRED" }),
    );
  });

  it("derive keys only for configured key ids: 100,000 forged tokens naming new ids derive and keep nothing", () => {
    const ring = keyring();
    const derive = vi.spyOn(ring, "deriveKey");
    const signer = createDownloadSigner(ring);
    const derivedAtStart = derive.mock.calls.length;
    expect(derivedAtStart).toBeLessThanOrEqual(ring.keyIds.length);
    for (let i = 0; i < 100_000; i++) {
      expect(() => signer.verify(forged(`forged-${i}`))).toThrow(
        expect.objectContaining({ code: "DOWNLOAD_LINK_INVALID" }),
      );
    }
    // Unknown ids are never derived (and so never cached); a signed link still verifies afterwards.
    expect(derive.mock.calls.length).toBe(derivedAtStart);
    expect(signer.verify(signer.sign(grant)).userId).toBe("alice");
  });
});
