import { describe, expect, it } from "vitest";
import { filterStateByDomain, normalizeDomain } from "../../src/insight/domain-filter.js";
import { webauthnStateSchema } from "../../src/passkeys.js";
import { type BrowserState, type Cookie, emptyBrowserState, type OriginState } from "../../src/state.js";

function cookie(domain: string, topLevelSite?: string): Cookie {
  return {
    name: domain,
    value: "v",
    domain,
    path: "/",
    expires: -1,
    session: true,
    httpOnly: false,
    secure: true,
    ...(topLevelSite === undefined ? {} : { partitionKey: { topLevelSite, hasCrossSiteAncestor: true } }),
  };
}

function origin(url: string, topLevelSite?: string): OriginState {
  return {
    origin: url,
    ...(topLevelSite === undefined ? {} : { topLevelSite }),
    localStorage: [{ name: "k", value: "v" }],
    sessionStorage: [],
    indexedDB: [],
  };
}

const state: BrowserState = {
  ...emptyBrowserState(),
  cookies: [
    cookie(".mail.test"),
    cookie("accounts.mail.test"),
    cookie(".shop.test"),
    cookie("widget.test", "https://mail.test"),
  ],
  origins: [
    origin("https://mail.test"),
    origin("https://app.shop.test:8443"),
    origin("https://widget.test", "https://shop.test"),
    origin("https://notmail.test"),
  ],
};

const names = (result: ReturnType<typeof filterStateByDomain>) => ({
  cookies: result.state.cookies.map((c) => c.domain),
  origins: result.state.origins.map((o) => (o.topLevelSite ? `${o.origin} in ${o.topLevelSite}` : o.origin)),
});

describe("filterStateByDomain", () => {
  it("keeps only a domain and its subdomains, partitioned parts by either side", () => {
    const result = filterStateByDomain(state, { only: ["MAIL.test"] });
    expect(names(result)).toEqual({
      cookies: [".mail.test", "accounts.mail.test", "widget.test"],
      origins: ["https://mail.test"],
    });
    expect(result.leftOut).toEqual({ cookies: 1, origins: 3, passkeys: 0 });
    expect(result.unmatched).toEqual([]);
  });

  it("excludes a domain wherever it appears, and exclusion wins over only", () => {
    const result = filterStateByDomain(state, {
      only: ["shop.test", "widget.test"],
      exclude: [".shop.test"],
    });
    expect(names(result)).toEqual({ cookies: ["widget.test"], origins: [] });
  });

  it("keeps passkeys by their RP id, and counts those it leaves out", () => {
    const passkey = (rpId: string, credentialId: string) => ({
      credentialId,
      rpId,
      userHandle: "dXNlcg",
      privateKey: "a2V5",
      signCount: 1,
      isResidentCredential: true,
    });
    const withPasskeys = filterStateByDomain(
      {
        ...state,
        webauthn: webauthnStateSchema.parse({
          credentials: [passkey("login.mail.test", "YQ"), passkey("shop.test", "Yg")],
        }),
      },
      { only: ["mail.test"] },
    );
    expect(withPasskeys.state.webauthn?.credentials.map((c) => c.rpId)).toEqual(["login.mail.test"]);
    expect(withPasskeys.leftOut.passkeys).toBe(1);
  });

  it("names only-domains that matched nothing", () => {
    expect(filterStateByDomain(state, { only: ["mial.test"] }).unmatched).toEqual(["mial.test"]);
  });

  it("refuses what is not a domain, naming it", () => {
    expect(() => normalizeDomain("https://mail.test/")).toThrow(/not a domain: "https:\/\/mail.test\/"/);
    expect(normalizeDomain(".Mail.Test.")).toBe("mail.test");
  });
});
