import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { type BrowserStateInput, parseBrowserState } from "../src/index.js";

type CookieInput = NonNullable<BrowserStateInput["cookies"]>[number];

const cookie = (fields: Partial<CookieInput>): CookieInput => ({
  name: "sid",
  value: "secret-value",
  domain: "a.test",
  path: "/",
  expires: -1,
  httpOnly: true,
  secure: true,
  ...fields,
});

const parseCookies = (...cookies: CookieInput[]) => parseBrowserState({ version: 1, cookies }).cookies;

describe("a cookie's session flag is derived from expires", () => {
  it("reads documents written before the rule, which carry both fields", () => {
    const [session, persistent] = parseCookies(
      cookie({ expires: -1, session: true }),
      cookie({ name: "pref", expires: 1_900_000_000, session: false }),
    );
    expect(session).toMatchObject({ expires: -1, session: true });
    expect(persistent).toMatchObject({ expires: 1_900_000_000, session: false });
  });

  it("fills in session from expires when it is left out", () => {
    const [session, persistent] = parseCookies(cookie({ expires: -1 }), cookie({ expires: 1_900_000_000 }));
    expect(session?.session).toBe(true);
    expect(persistent?.session).toBe(false);
  });

  it("refuses a session flag that contradicts expires, naming the field and not the value", () => {
    for (const contradiction of [
      cookie({ expires: 1_900_000_000, session: true }),
      cookie({ expires: -1, session: false }),
    ]) {
      const error = (() => {
        try {
          parseCookies(cookie({ name: "ok" }), contradiction);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isWebrunError(error, "STATE_INVALID")).toBe(true);
      expect((error as Error).message).toBe(
        "invalid browser state: cookies.1.session: contradicts expires: a session cookie has expires -1, and only a session cookie does",
      );
      expect((error as Error).message).not.toContain("secret-value");
    }
  });

  it("writes both fields, so the JSON keeps the shape stored documents have", () => {
    const [parsed] = parseCookies(cookie({ expires: -1 }));
    expect(JSON.parse(JSON.stringify(parsed))).toMatchObject({ expires: -1, session: true });
  });
});
