import { createHash, createPublicKey, randomBytes, verify } from "node:crypto";
import type { ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { makeTestCertificates } from "../tls/certificates.js";
import { notFound, page, readSiteRequest, type SiteRequest, sendHtml, sendJson } from "./http.js";

/**
 * A local HTTPS site that signs up and logs in with passkeys only (WebAuthn,
 * ES256). Its page at `/` defines `register(user)` and `logIn()`, which
 * resolve with the server's {@link PasskeyAnswer}.
 */
export interface PasskeySite {
  /** `https://passkeys.test:<port>`: the RP id is `passkeys.test`. */
  origin: string;
  rpId: string;
  /** Host mapping and trust of the self-signed certificate. */
  chromiumArgs: string[];
  stop(): Promise<void>;
}

/** What `/register` and `/login` answer; the page's `register()` / `logIn()` resolve with it. */
export interface PasskeyAnswer {
  ok: boolean;
  user?: string;
  detail?: string;
}

const rpId = "passkeys.test";

/** The page: `register(user)` creates a discoverable passkey, `logIn()` asserts with whichever one the authenticator has. */
const pageScript = `const b64 = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));
const unb64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const post = async (path, fields) => (await fetch(path, { method: "POST", body: new URLSearchParams(fields) })).json();
async function register(user) {
  const options = await (await fetch("/challenge")).json();
  const credential = await navigator.credentials.create({ publicKey: {
    rp: { id: ${JSON.stringify(rpId)}, name: "Passkeys" },
    user: { id: new TextEncoder().encode(user), name: user, displayName: user },
    challenge: unb64(options.challenge),
    pubKeyCredParams: [{ type: "public-key", alg: -7 }],
    authenticatorSelection: { residentKey: "required", userVerification: "required" },
  } });
  return post("/register", {
    user,
    credentialId: b64(credential.rawId),
    publicKey: b64(credential.response.getPublicKey()),
    algorithm: String(credential.response.getPublicKeyAlgorithm()),
    clientDataJSON: b64(credential.response.clientDataJSON),
  });
}
async function logIn() {
  const options = await (await fetch("/challenge")).json();
  const assertion = await navigator.credentials.get({ publicKey: {
    rpId: ${JSON.stringify(rpId)}, challenge: unb64(options.challenge), userVerification: "required",
  } });
  return post("/login", {
    credentialId: b64(assertion.rawId),
    authenticatorData: b64(assertion.response.authenticatorData),
    clientDataJSON: b64(assertion.response.clientDataJSON),
    signature: b64(assertion.response.signature),
  });
}`;

interface StoredPasskey {
  user: string;
  publicKey: Buffer;
  signCount: number;
}

/**
 * Starts the passkey site on its own HTTPS server (127.0.0.1, a random
 * port). Registration stores the credential's public key; login verifies
 * the ES256 signature over `authenticatorData || sha256(clientDataJSON)`,
 * the challenge, the origin, the RP id hash, the UP/UV flags and the
 * signature counter — so only the private key registered here logs in.
 */
export async function startPasskeySite(): Promise<PasskeySite> {
  const { cert, key } = await makeTestCertificates([rpId]);
  const challenges = new Set<string>();
  const passkeys = new Map<string, StoredPasskey>();
  let origin = "";

  /** clientDataJSON of the expected ceremony, for a challenge this server gave and has not seen back. */
  const checkClientData = (encoded: string, type: string): string | undefined => {
    const clientData = JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Record<string, unknown>;
    if (clientData.type !== type) return `clientData type is not ${type}`;
    if (clientData.origin !== origin) return "clientData origin is not this site";
    const challenge = Buffer.from(String(clientData.challenge), "base64url").toString("base64");
    if (!challenges.delete(challenge)) return "unknown or reused challenge";
    return undefined;
  };

  const registerPasskey = (request: SiteRequest): PasskeyAnswer => {
    const form = request.form;
    const problem = checkClientData(form.get("clientDataJSON") ?? "", "webauthn.create");
    if (problem) return { ok: false, detail: problem };
    if (form.get("algorithm") !== "-7") return { ok: false, detail: "only ES256 is accepted" };
    const user = form.get("user") ?? "";
    passkeys.set(form.get("credentialId") ?? "", {
      user,
      publicKey: Buffer.from(form.get("publicKey") ?? "", "base64"),
      signCount: 0,
    });
    return { ok: true, user };
  };

  const logIn = (request: SiteRequest): PasskeyAnswer => {
    const form = request.form;
    const passkey = passkeys.get(form.get("credentialId") ?? "");
    if (passkey === undefined) return { ok: false, detail: "unknown credential" };
    const clientDataJSON = Buffer.from(form.get("clientDataJSON") ?? "", "base64");
    const problem = checkClientData(clientDataJSON.toString("base64"), "webauthn.get");
    if (problem) return { ok: false, detail: problem };
    const authenticatorData = Buffer.from(form.get("authenticatorData") ?? "", "base64");
    const rpIdHash = createHash("sha256").update(rpId).digest();
    if (authenticatorData.length < 37 || !authenticatorData.subarray(0, 32).equals(rpIdHash)) {
      return { ok: false, detail: "authenticatorData is not for this RP id" };
    }
    const flags = authenticatorData[32] ?? 0;
    if ((flags & 0x01) === 0 || (flags & 0x04) === 0)
      return { ok: false, detail: "user not present/verified" };
    const signed = Buffer.concat([authenticatorData, createHash("sha256").update(clientDataJSON).digest()]);
    const publicKey = createPublicKey({ key: passkey.publicKey, format: "der", type: "spki" });
    const signature = Buffer.from(form.get("signature") ?? "", "base64");
    if (!verify("sha256", signed, { key: publicKey, dsaEncoding: "der" }, signature)) {
      return { ok: false, detail: "bad signature" };
    }
    const signCount = authenticatorData.readUInt32BE(33);
    if ((signCount !== 0 || passkey.signCount !== 0) && signCount <= passkey.signCount) {
      return { ok: false, detail: "signature counter went back: a cloned authenticator?" };
    }
    passkey.signCount = signCount;
    return { ok: true, user: passkey.user };
  };

  const handle = (request: SiteRequest, response: ServerResponse) => {
    const path = request.url.pathname;
    if (path === "/" && request.method === "GET") {
      sendHtml(response, page("Passkeys", `<h1>Passkeys</h1><script>${pageScript}</script>`));
    } else if (path === "/challenge" && request.method === "GET") {
      const challenge = randomBytes(32).toString("base64");
      challenges.add(challenge);
      sendJson(response, { challenge });
    } else if (path === "/register" && request.method === "POST") {
      const answer = registerPasskey(request);
      sendJson(response, answer, answer.ok ? 200 : 400);
    } else if (path === "/login" && request.method === "POST") {
      const answer = logIn(request);
      sendJson(response, answer, answer.ok ? 200 : 401);
    } else {
      notFound(response);
    }
  };

  const server = createServer({ key, cert }, (message, response) => {
    readSiteRequest(message, "https").then(
      (request) => handle(request, response),
      () => response.writeHead(400).end(),
    );
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  origin = `https://${rpId}:${port}`;
  return {
    origin,
    rpId,
    chromiumArgs: [`--host-resolver-rules=MAP ${rpId} 127.0.0.1`, "--ignore-certificate-errors"],
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
