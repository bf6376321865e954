import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./browser-cli-helpers.js";

const cookieSecret = "COOKIE-S3CRET-9876";

const webrunState = {
  version: 1,
  cookies: [
    {
      name: "sid",
      value: cookieSecret,
      domain: "a.test",
      path: "/",
      expires: -1,
      httpOnly: true,
      secure: true,
      session: true,
      sameSite: "Lax",
      priority: "High",
    },
  ],
  origins: [
    {
      origin: "https://a.test",
      localStorage: [{ name: "日本", value: "語" }],
      sessionStorage: [{ name: "s", value: "1" }],
    },
    { origin: "https://b.test", topLevelSite: "https://a.test", localStorage: [{ name: "p", value: "1" }] },
  ],
};

const playwrightState = {
  cookies: [
    {
      name: "pref",
      value: "dark",
      domain: ".a.test",
      path: "/",
      expires: 1_900_000_000,
      httpOnly: false,
      secure: true,
      sameSite: "None",
      partitionKey: "https://top.test",
      _crHasCrossSiteAncestor: true,
    },
  ],
  origins: [{ origin: "https://a.test", localStorage: [{ name: "", value: "empty key" }] }],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webrun-convert-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Each case starts the CLI up to three times; on two busy cores that takes seconds.
describe("webrun-env convert", { timeout: 30_000 }, () => {
  it("writes a Playwright document atomically with mode 0600 and names what it dropped", async () => {
    const input = join(dir, "state.json");
    const out = join(dir, "storage-state.json");
    await writeFile(input, JSON.stringify(webrunState));
    const result = await runCli(["convert", "--to", "playwright", input, "--out", out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain("dropped: 1 partitioned (third-party) origin storage areas");
    expect(result.stderr).toContain("dropped: 1 origins' sessionStorage");
    expect(result.stderr).toContain("cookies' priority/sourceScheme/sourcePort");
    expect(result.stderr).not.toContain(cookieSecret);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({
      cookies: [
        {
          name: "sid",
          value: cookieSecret,
          domain: "a.test",
          path: "/",
          expires: -1,
          httpOnly: true,
          secure: true,
          sameSite: "Lax",
        },
      ],
      origins: [{ origin: "https://a.test", localStorage: [{ name: "日本", value: "語" }] }],
    });
    expect((await readdir(dir)).filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("infers Playwright input from stdin and round-trips it unchanged", async () => {
    const toWebrun = await runCli(["convert", "-"], JSON.stringify(playwrightState));
    expect(toWebrun.code).toBe(0);
    const state = JSON.parse(toWebrun.stdout);
    expect(state.version).toBe(1);
    expect(state.cookies[0]).toMatchObject({
      session: false,
      partitionKey: { topLevelSite: "https://top.test", hasCrossSiteAncestor: true },
    });
    const back = await runCli(["convert", "-"], toWebrun.stdout);
    expect(back.code).toBe(0);
    expect(back.stderr).toBe("");
    expect(JSON.parse(back.stdout)).toEqual(playwrightState);
  });

  it("reports the path of each bad field, exit 1, without echoing values or writing --out", async () => {
    const bad = structuredClone(webrunState) as Record<string, unknown> & {
      cookies: Record<string, unknown>[];
    };
    bad.cookies[0] = { ...bad.cookies[0], httpOnly: "yes", value: `${cookieSecret}\u0001` };
    const out = join(dir, "never.json");
    const result = await runCli(["convert", "--from", "webrun", "-", "--out", out], JSON.stringify(bad));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cookies.0.httpOnly:");
    expect(result.stderr).toContain("cookies.0.value:");
    expect(result.stderr).not.toContain(cookieSecret);
    await expect(stat(out)).rejects.toThrow();

    const playwrightBad = await runCli(
      ["convert", "--from", "playwright", "-"],
      JSON.stringify({ cookies: [{ name: 1 }] }),
    );
    expect(playwrightBad.code).toBe(1);
    expect(playwrightBad.stderr).toContain("cookies.0.name:");
  });

  it("refuses input it cannot classify, and an --out it cannot write", async () => {
    const unknown = await runCli(["convert", "-"], "[1, 2]");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("pass --from webrun or --from playwright");

    const noDir = await runCli(
      ["convert", "-", "--out", join(dir, "missing", "x.json")],
      JSON.stringify(playwrightState),
    );
    expect(noDir.code).toBe(1);
    expect(noDir.stderr).toContain("cannot write");

    const badFormat = await runCli(["convert", "--to", "har", "-"], JSON.stringify(playwrightState));
    expect(badFormat.code).toBe(1);
  });
});
