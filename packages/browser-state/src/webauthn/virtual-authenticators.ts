import {
  type AuthenticatorOptions,
  type DroppedItems,
  defaultAuthenticatorOptions,
  type Passkey,
  passkeySchema,
  type WebauthnState,
} from "@webrun/state";
import type { Protocol } from "devtools-protocol";
import type { CdpConnection, CdpEvent } from "../cdp/cdp-connection.js";
import type { AttachedPage, TabSeeder } from "../cdp/every-tab.js";

/** What the browser's authenticators hold, as the state carries it, and what the state could not carry. */
export interface PasskeysRead {
  webauthn: WebauthnState;
  dropped: DroppedItems;
}

/** The passkeys the authenticators were given at launch: those they refused, with the reason. */
export interface PasskeysSeeded {
  given: number;
  refused: DroppedItems;
}

function fromCdp(credential: Protocol.WebAuthn.Credential): unknown {
  // CDP-only fields the state does not carry (CMTG keys) are left behind.
  const {
    cmtgKeys: _keys,
    activeCmtgKeyIndex: _index,
    generateCmtgKeyOnNextOperation: _next,
    ...rest
  } = credential;
  return rest;
}

function samePasskey(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A CDP virtual authenticator in every tab, all holding the same passkeys.
 *
 * Chromium scopes a virtual authenticator to one tab (the root frame of a
 * WebContents) and to the DevTools session that added it: another tab, or
 * another CDP client, does not see it, and it is gone when its session
 * detaches. So this seeder, run for every tab of the browser (see
 * `seedEveryTab`), gives each page its own authenticator with the keyring's
 * passkeys, and keeps the keyring current from the authenticators' events:
 * a passkey registered, used (signature counter) or deleted in one tab is
 * mirrored into every other open tab, and a new tab starts from the
 * keyring. A closed tab's passkeys stay in the keyring.
 *
 * The keyring holds private keys: it is never logged, and errors name
 * credentials by RP id only.
 */
export class VirtualAuthenticators implements TabSeeder {
  readonly #connection: CdpConnection;
  readonly #options: AuthenticatorOptions;
  readonly #keyring = new Map<string, unknown>();
  /** Page session → its authenticator. */
  readonly #authenticators = new Map<string, string>();
  readonly #refused = new Map<string, { rpId: string; reason: string }>();
  readonly #off: () => void;

  constructor(connection: CdpConnection, webauthn: WebauthnState | undefined) {
    this.#connection = connection;
    this.#options = webauthn?.authenticator ?? defaultAuthenticatorOptions();
    for (const passkey of webauthn?.credentials ?? []) this.#keyring.set(passkey.credentialId, passkey);
    this.#off = connection.onEvent((event) => this.#onEvent(event));
  }

  async prepare({ sessionId }: AttachedPage): Promise<void> {
    await this.#connection.send("WebAuthn.enable", { enableUI: false }, sessionId);
    const { authenticatorId } = await this.#connection.send(
      "WebAuthn.addVirtualAuthenticator",
      { options: this.#options },
      sessionId,
    );
    this.#authenticators.set(sessionId, authenticatorId);
    for (const [credentialId, credential] of this.#keyring) {
      await this.#add(sessionId, authenticatorId, credential).then(
        () => this.#refused.delete(credentialId),
        (error: unknown) => {
          const rpId = (credential as Passkey).rpId;
          const reason =
            error instanceof Error ? error.message.replace(/^WebAuthn\.addCredential failed: /, "") : "";
          this.#refused.set(credentialId, { rpId, reason });
        },
      );
    }
  }

  forget(sessionId: string): void {
    this.#authenticators.delete(sessionId);
  }

  stop(): void {
    this.#off();
  }

  /** What the tabs prepared so far were given, and which passkeys every one of them refused. */
  seeded(): PasskeysSeeded {
    const refused = [...this.#refused.values()];
    return {
      given: this.#keyring.size - refused.length,
      refused: {
        reason: `refused by the virtual authenticator (${[...new Set(refused.map((r) => r.reason))].join("; ")})`,
        count: refused.length,
        examples: refused.slice(0, 5).map((r) => r.rpId),
      },
    };
  }

  /**
   * Every passkey of the keyring and of the live authenticators (the higher
   * signature counter wins), as the state carries it; one the state cannot
   * carry (an RP id that is no registrable domain) is dropped, and counted.
   */
  async read(): Promise<PasskeysRead> {
    const all = new Map(this.#keyring);
    for (const [sessionId, authenticatorId] of this.#authenticators) {
      const live = await this.#connection
        .send("WebAuthn.getCredentials", { authenticatorId }, sessionId)
        .catch(() => ({ credentials: [] }));
      for (const credential of live.credentials) {
        const known = all.get(credential.credentialId) as { signCount: number } | undefined;
        if (known === undefined || credential.signCount > known.signCount) {
          all.set(credential.credentialId, fromCdp(credential));
        }
      }
    }
    const credentials: Passkey[] = [];
    const droppedRpIds: string[] = [];
    for (const credential of all.values()) {
      const parsed = passkeySchema.safeParse(credential);
      if (parsed.success) credentials.push(parsed.data);
      else droppedRpIds.push(String((credential as { rpId?: unknown }).rpId ?? "(none)"));
    }
    return {
      webauthn: { authenticator: this.#options, credentials },
      dropped: {
        reason:
          "passkey the state cannot carry (its RP id is no registrable domain, or a field is out of range)",
        count: droppedRpIds.length,
        examples: droppedRpIds.slice(0, 5),
      },
    };
  }

  #add(sessionId: string, authenticatorId: string, credential: unknown): Promise<unknown> {
    return this.#connection.send(
      "WebAuthn.addCredential",
      { authenticatorId, credential: credential as Protocol.WebAuthn.Credential },
      sessionId,
    );
  }

  #onEvent(event: CdpEvent): void {
    const source = event.sessionId;
    if (source === undefined || !this.#authenticators.has(source)) return;
    if (
      event.method === "WebAuthn.credentialAdded" ||
      event.method === "WebAuthn.credentialAsserted" ||
      event.method === "WebAuthn.credentialUpdated"
    ) {
      const credential = fromCdp(event.params.credential);
      const id = event.params.credential.credentialId;
      // Our own mirroring comes back as events: only a change goes round.
      if (samePasskey(this.#keyring.get(id), credential)) return;
      this.#keyring.set(id, credential);
      this.#mirror(source, id, credential);
    } else if (event.method === "WebAuthn.credentialDeleted") {
      if (!this.#keyring.delete(event.params.credentialId)) return;
      this.#mirror(source, event.params.credentialId, undefined);
    }
  }

  /** Replaces (or removes) a passkey in every other tab's authenticator. */
  #mirror(source: string, credentialId: string, credential: unknown): void {
    for (const [sessionId, authenticatorId] of this.#authenticators) {
      if (sessionId === source) continue;
      void this.#connection
        .send("WebAuthn.removeCredential", { authenticatorId, credentialId }, sessionId)
        .catch(() => undefined)
        .then(() =>
          credential === undefined ? undefined : this.#add(sessionId, authenticatorId, credential),
        )
        // A tab that closed meanwhile has nothing left to keep in step.
        .catch(() => undefined);
    }
  }
}
