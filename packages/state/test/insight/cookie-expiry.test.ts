import { describe, expect, it } from "vitest";
import { cookieExpiry, loginExpiryAt } from "../../src/insight/cookie-expiry.js";
import type { Cookie } from "../../src/state.js";

const now = new Date("2026-12-05T00:00:00Z");
const at = (iso: string) => Date.parse(iso) / 1000;

function cookie(domain: string, expires: number | "session"): Cookie {
  return {
    name: "n",
    value: "v",
    domain,
    path: "/",
    expires: expires === "session" ? -1 : expires,
    session: expires === "session",
    httpOnly: false,
    secure: true,
  };
}

describe("cookieExpiry", () => {
  it("gives each domain's first and last expiry, its session cookies, and the expired and soon-expiring counts", () => {
    const expiry = cookieExpiry(
      [
        cookie(".shop.test", at("2027-06-01T00:00:00Z")),
        cookie("shop.test", at("2026-12-08T00:00:00Z")),
        cookie(".shop.test", "session"),
        cookie("mail.test", at("2026-12-04T23:59:59Z")),
        cookie("mail.test", at("2026-12-12T00:00:00Z")),
        cookie("news.test", "session"),
      ],
      now,
    );
    expect(expiry).toEqual({
      domains: [
        {
          domain: "mail.test",
          sessionCookies: 0,
          persistentCookies: 2,
          earliestExpiry: "2026-12-04T23:59:59.000Z",
          latestExpiry: "2026-12-12T00:00:00.000Z",
        },
        { domain: "news.test", sessionCookies: 1, persistentCookies: 0 },
        {
          domain: "shop.test",
          sessionCookies: 1,
          persistentCookies: 2,
          earliestExpiry: "2026-12-08T00:00:00.000Z",
          latestExpiry: "2027-06-01T00:00:00.000Z",
        },
      ],
      expired: 1,
      // 2026-12-12 is exactly 7 days on: still within.
      expiresWithin7Days: 2,
    });
  });
});

describe("loginExpiryAt", () => {
  const domains = cookieExpiry(
    [
      cookie("mail.test", at("2026-12-04T23:59:59Z")),
      cookie("mail.test", at("2027-01-01T00:00:00Z")),
      cookie("shop.test", at("2026-12-12T00:00:00Z")),
      cookie("bank.test", at("2026-12-12T00:00:01Z")),
      cookie("news.test", "session"),
    ],
    now,
  ).domains;

  it("sorts domains by their first expiry against the moment asked, 7 days inclusive", () => {
    expect(loginExpiryAt(domains, now)).toEqual({
      expired: ["mail.test"],
      expiresWithin7Days: ["shop.test"],
    });
  });

  it("moves with the clock: a week later the soon-expiring ones have expired", () => {
    expect(loginExpiryAt(domains, new Date("2026-12-12T00:00:01Z"))).toEqual({
      expired: ["bank.test", "mail.test", "shop.test"],
      expiresWithin7Days: [],
    });
    expect(loginExpiryAt(domains, new Date("2026-11-01T00:00:00Z"))).toEqual({
      expired: [],
      expiresWithin7Days: [],
    });
  });
});
