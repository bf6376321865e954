import type { Passkey, WebauthnState } from "../passkeys.js";
import type { UnitMap } from "./state-units.js";
import { type ConflictRule, mergeUnits } from "./three-way.js";

function passkeyUnits(webauthn: WebauthnState | undefined): UnitMap<Passkey> {
  return new Map(
    (webauthn?.credentials ?? []).map((passkey) => [
      `${passkey.rpId} ${passkey.credentialId}`,
      { value: passkey, owner: passkey.rpId, payload: passkey },
    ]),
  );
}

/**
 * Passkeys merged three-way by (RP id, credential id). A passkey used on
 * both sides takes the higher signature counter: a site refuses a counter
 * that goes back, so the copy used last is the one that still logs in. The
 * authenticator options come from the side captured later that has any.
 */
export function mergePasskeys(
  base: WebauthnState | undefined,
  ours: WebauthnState | undefined,
  theirs: WebauthnState | undefined,
  winner: "ours" | "theirs",
): WebauthnState | undefined {
  const authenticator = (winner === "ours" ? (ours ?? theirs) : (theirs ?? ours))?.authenticator;
  if (authenticator === undefined) return undefined;
  const higherCounter: ConflictRule<Passkey> = (o, t) => {
    if (o === undefined || t === undefined) return winner;
    if (o.value.signCount !== t.value.signCount)
      return o.value.signCount > t.value.signCount ? "ours" : "theirs";
    return winner;
  };
  const { merged } = mergeUnits(passkeyUnits(base), passkeyUnits(ours), passkeyUnits(theirs), higherCounter);
  return { authenticator, credentials: [...merged.values()].map((unit) => unit.value) };
}
