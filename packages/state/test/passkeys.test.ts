import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { type Passkey, parseBrowserState, playwrightConversionLosses, rpIdSchema } from "../src/index.js";

/** Not a real key: the schema checks base64 only; Chromium checks the key when it is added. */
const privateKey = "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECRET";

function passkey(extra: Partial<Passkey> = {}): Passkey {
  return {
    credentialId: "V9jLXweyLyryCNo84yr4rdOmj674l5FA0BrkBN/9Pag=",
    rpId: "login.example.com",
    privateKey,
    userHandle: "YWxpY2U=",
    signCount: 2,
    isResidentCredential: true,
    ...extra,
  };
}

function stateWith(credential: unknown) {
  return { version: 1, webauthn: { credentials: [credential] } };
}

describe("passkeys in the state document", () => {
  it("carries credentials and fills in the authenticator a platform passkey needs", () => {
    const state = parseBrowserState(stateWith(passkey()));
    expect(state.webauthn?.credentials).toEqual([passkey()]);
    expect(state.webauthn?.authenticator).toEqual({
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasLargeBlob: false,
    });
    expect(parseBrowserState({ version: 1 }).webauthn).toBeUndefined();
  });

  it.each([
    ["an IP address", "127.0.0.1"],
    ["a public suffix", "com"],
    ["a private public suffix", "github.io"],
    ["a single label", "intranet"],
    ["upper case", "Example.com"],
    ["a port", "example.com:443"],
    ["an origin", "https://example.com"],
    ["an empty id", ""],
    ["a trailing dot", "example.com."],
  ])("refuses a passkey whose RP id is %s", (_what, rpId) => {
    expect(() => parseBrowserState(stateWith(passkey({ rpId })))).toThrow(/webauthn\.credentials\.0\.rpId/);
  });

  it.each(["localhost", "example.com", "a.b.example.co.uk", "passkeys.test"])(
    "accepts the RP id %s",
    (rpId) => {
      expect(rpIdSchema.safeParse(rpId).success).toBe(true);
    },
  );

  it("refuses a malformed private key without echoing it", () => {
    const secret = "not base64: SECRET-KEY-MATERIAL";
    try {
      parseBrowserState(stateWith(passkey({ privateKey: secret })));
      expect.unreachable();
    } catch (error) {
      expect(isWebrunError(error, "STATE_INVALID")).toBe(true);
      expect(
        JSON.stringify({
          message: (error as Error).message,
          details: (error as { details?: unknown }).details,
        }),
      ).not.toContain("SECRET");
      expect((error as Error).message).toMatch(/webauthn\.credentials\.0\.privateKey: must be base64/);
    }
  });

  it("says passkeys are lost in Playwright's format", () => {
    expect(playwrightConversionLosses(parseBrowserState(stateWith(passkey())))).toContain("1 passkeys");
  });

  it("refuses unknown fields and a counter below -1", () => {
    expect(() => parseBrowserState(stateWith({ ...passkey(), extra: 1 }))).toThrow(
      /webauthn\.credentials\.0/,
    );
    expect(() => parseBrowserState(stateWith(passkey({ signCount: -2 })))).toThrow(/signCount/);
  });
});
