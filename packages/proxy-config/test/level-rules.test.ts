import { describe, expect, it } from "vitest";
import { decideLevel, type LevelFacts, type ProxyLevel } from "../src/index.js";

const chromeRefusal =
  "level chrome cannot work for a SOCKS proxy with credentials: Chrome has no SOCKS authentication; use level system or remove the credentials";

describe("decideLevel follows the documented table", () => {
  it.each<[string, LevelFacts, ProxyLevel | undefined, ReturnType<typeof decideLevel>]>([
    ["WebRun, omitted", { source: "WebRun", hasCredentials: false }, undefined, ok("chrome", "default")],
    ["WebRun, system", { source: "WebRun", hasCredentials: false }, "system", ok("system", "given")],
    [
      "http, omitted",
      { source: "custom", type: "http", hasCredentials: false },
      undefined,
      ok("chrome", "default"),
    ],
    [
      "http + creds, omitted",
      { source: "custom", type: "http", hasCredentials: true },
      undefined,
      ok("chrome", "default"),
    ],
    [
      "http + creds, chrome",
      { source: "custom", type: "http", hasCredentials: true },
      "chrome",
      ok("chrome", "given"),
    ],
    [
      "socks, omitted",
      { source: "custom", type: "socks", hasCredentials: false },
      undefined,
      ok("chrome", "default"),
    ],
    [
      "socks + creds, omitted",
      { source: "custom", type: "socks", hasCredentials: true },
      undefined,
      ok("system", "default"),
    ],
    [
      "socks + creds, system",
      { source: "custom", type: "socks", hasCredentials: true },
      "system",
      ok("system", "given"),
    ],
  ])("%s", (_name, facts, given, expected) => {
    expect(decideLevel(facts, given)).toEqual(expected);
  });

  it("refuses chrome for SOCKS with credentials, saying why and what to do", () => {
    const decision = decideLevel({ source: "custom", type: "socks", hasCredentials: true }, "chrome");
    expect(decision.ok).toBe(false);
    if (!decision.ok) expect(decision.message).toBe(chromeRefusal);
  });
});

function ok(level: ProxyLevel, levelSource: "given" | "default") {
  return { ok: true as const, level, levelSource };
}
