import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectCdp } from "@webrun/browser-state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli, evaluate, runCli, startCli, startPlainSite, visit } from "./browser-cli-helpers.js";

let site: Awaited<ReturnType<typeof startPlainSite>>;
let dir: string;
let stateFile: string;

beforeAll(async () => {
  site = await startPlainSite();
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-launch-"));
  stateFile = join(dir, "state.json");
  const state = {
    version: 1,
    cookies: [
      {
        name: "sid",
        value: "seeded-1",
        domain: "127.0.0.1",
        path: "/",
        expires: -1,
        httpOnly: true,
        secure: false,
        session: true,
      },
    ],
    origins: [
      {
        origin: site.origin,
        localStorage: [{ name: "token", value: "ls-1" }],
        sessionStorage: [{ name: "tab", value: "ss-1" }],
      },
    ],
  };
  await writeFile(stateFile, JSON.stringify(state));
});

afterAll(async () => {
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("webrun-env launch", () => {
  it("prints the endpoint once seeded, serves the state, and cleans up on SIGTERM", async () => {
    const { child, firstLine } = await startCli(["launch", "--state", stateFile, "--headless"]);
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    const ready = JSON.parse(firstLine) as { cdp: string; pid: number; pageTargetId: string };
    expect(ready.cdp).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
    expect(site.requests).toEqual([]);
    const profileDir = /--user-data-dir=(\S+)/.exec(
      await readFile(`/proc/${ready.pid}/cmdline`, "latin1").then((t) => t.replaceAll("\0", " ")),
    )?.[1];
    expect(profileDir && existsSync(profileDir)).toBe(true);

    const connection = await connectCdp(ready.cdp);
    const session = await visit(connection, `${site.origin}/home`, ready.pageTargetId);
    expect(site.requests.at(-1)?.cookie).toBe("sid=seeded-1");
    expect(
      await evaluate(connection, session, `[localStorage.getItem("token"), sessionStorage.getItem("tab")]`),
    ).toEqual(["ls-1", "ss-1"]);
    await connection.close();

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(() => process.kill(ready.pid, 0)).toThrow();
    expect(existsSync(profileDir as string)).toBe(false);
  }, 30_000);

  it("a SIGTERM that arrives while seeding still closes the browser and removes its profile", async () => {
    const privateTmp = await mkdtemp(join(tmpdir(), "webrun-cli-early-"));
    const child = spawn(process.execPath, [cli, "launch", "--state", stateFile, "--headless"], {
      env: { ...process.env, TMPDIR: privateTmp },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    // Wait until Chromium's profile exists, i.e. seeding has begun, then stop.
    await expect
      .poll(async () => (await readdir(privateTmp)).length, { timeout: 10_000, interval: 20 })
      .toBeGreaterThan(0);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).toBe("");
    expect(await readdir(privateTmp)).toEqual([]);
    const orphans = await new Promise<string>((resolve) =>
      execFile("pgrep", ["-f", privateTmp], (_error, out) => resolve(out.trim())),
    );
    expect(orphans).toBe("");
    await rm(privateTmp, { recursive: true, force: true });
  }, 30_000);

  it("without a display and without --headless: exit 1 naming --headless, nothing left behind", async () => {
    const privateTmp = await mkdtemp(join(tmpdir(), "webrun-cli-no-display-"));
    const { DISPLAY: _x11, WAYLAND_DISPLAY: _wayland, ...screenless } = process.env;
    const { code, stdout, stderr } = await runCli(["launch", "--state", stateFile], "", {
      ...screenless,
      TMPDIR: privateTmp,
    });
    expect(code, stderr).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^webrun-env: no display to open the browser's window on .*: add --headless/);
    expect(await readdir(privateTmp)).toEqual([]);
    await rm(privateTmp, { recursive: true, force: true });
  }, 30_000);

  it("--only-domain seeds only that domain's logins, says what it left out and warns of a domain that matched nothing", async () => {
    const twoSites = join(dir, "two-sites.json");
    const state = JSON.parse(await readFile(stateFile, "utf8")) as { cookies: object[] };
    state.cookies.push({
      name: "keep",
      value: "kept-1",
      domain: "localhost",
      path: "/",
      expires: -1,
      httpOnly: false,
      secure: false,
      session: true,
    });
    await writeFile(twoSites, JSON.stringify(state));
    const launched = await startCli([
      "launch",
      "--state",
      twoSites,
      "--headless",
      "--only-domain",
      "LOCALHOST",
      "--only-domain",
      "typo.example",
    ]);
    const exited = new Promise<number | null>((resolve) => launched.child.on("close", resolve));
    const ready = JSON.parse(launched.firstLine) as { cdp: string; pageTargetId: string; notSeeded: unknown };
    expect(ready.notSeeded).toEqual({
      byDomainFilter: { cookies: 1, origins: 1, passkeys: 0 },
      unmatchedDomains: ["typo.example"],
    });
    expect(launched.stderr()).toContain("warning: --only-domain typo.example matched nothing");
    expect(launched.stderr()).not.toContain("--only-domain localhost matched nothing");

    const connection = await connectCdp(ready.cdp);
    const { cookies } = await connection.send("Storage.getCookies", {});
    expect(cookies.map((cookie) => cookie.name)).toEqual(["keep"]);
    const requestsBefore = site.requests.length;
    const session = await visit(connection, `${site.origin}/home`, ready.pageTargetId);
    expect(site.requests.slice(requestsBefore).map((request) => request.cookie)).toEqual([""]);
    expect(await evaluate(connection, session, `localStorage.getItem("token")`)).toBeNull();
    await connection.close();
    launched.child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 30_000);

  it("refuses a malformed --only-domain by name, exit 1, before starting a browser", async () => {
    const result = await runCli([
      "launch",
      "--state",
      stateFile,
      "--headless",
      "--only-domain",
      "not a domain",
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not a domain: "not a domain"');
  });

  it("refuses a bad proxy with path: message lines and exit 1, never echoing the password", async () => {
    const proxy = JSON.stringify({
      source: "custom",
      type: "http",
      host: "",
      port: 99999,
      password: "pw-SECRET-1",
    });
    const result = await runCli(["launch", "--state", stateFile, "--headless", "--proxy", proxy]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^proxy\.\S+: /m);
    expect(result.stderr).not.toContain("pw-SECRET-1");
  });

  it("refuses a malformed state with the path of the bad field", async () => {
    const bad = join(dir, "bad.json");
    await writeFile(bad, JSON.stringify({ version: 1, cookies: [{ name: 5 }] }));
    const result = await runCli(["launch", "--state", bad, "--headless"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^cookies\.0\.name: /m);
  });
});
