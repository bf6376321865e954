import { describe, expect, it } from "vitest";
import { defaultAuthenticatorOptions, mergeStates } from "../../src/index.js";
import { type BrowserState, emptyBrowserState } from "../../src/state.js";
import { earlier, later } from "./unit-fixtures.js";

const authenticator = defaultAuthenticatorOptions();

function withPasskeys(capturedAt: string, passkeys: [string, number][]): BrowserState {
  return {
    ...emptyBrowserState(),
    capturedAt,
    webauthn: {
      authenticator,
      credentials: passkeys.map(([credentialId, signCount]) => ({
        credentialId,
        rpId: "example.com",
        privateKey: "AAAA",
        signCount,
        isResidentCredential: true,
      })),
    },
  };
}

const counters = (state: BrowserState) =>
  Object.fromEntries(state.webauthn?.credentials.map((c) => [c.credentialId, c.signCount]) ?? []);

describe("mergeStates: passkeys", () => {
  it("keeps passkeys added on either side and drops one removed on one side", () => {
    const base = withPasskeys(earlier, [
      ["AAEC", 1],
      ["gone", 1],
    ]);
    const ours = withPasskeys(later, [
      ["AAEC", 1],
      ["ours", 1],
    ]);
    const theirs = withPasskeys(earlier, [
      ["AAEC", 1],
      ["gone", 1],
      ["theirs", 1],
    ]);
    expect(counters(mergeStates({ base, ours, theirs }).state)).toEqual({ AAEC: 1, theirs: 1, ours: 1 });
  });

  it("a passkey used on both sides keeps the higher counter, whichever side is later", () => {
    const base = withPasskeys(earlier, [["AAEC", 1]]);
    const ours = withPasskeys(later, [["AAEC", 3]]);
    const theirs = withPasskeys(earlier, [["AAEC", 7]]);
    expect(counters(mergeStates({ base, ours, theirs }).state)).toEqual({ AAEC: 7 });
  });

  it("a session that started without passkeys keeps those saved since", () => {
    const base = emptyBrowserState();
    const ours = { ...emptyBrowserState(), capturedAt: later };
    const theirs = withPasskeys(earlier, [["AAEC", 1]]);
    expect(counters(mergeStates({ base, ours, theirs }).state)).toEqual({ AAEC: 1 });
  });
});
