import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  launchTestChromium,
  logInToSite,
  siteStatus,
  startTestSites,
  type TestSites,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cli } from "./browser-cli-helpers.js";
import { type ApiServer, startApiServer, startWebrunEnv, webrunEnv } from "./env-api-server.js";

// `webrun-env import-chrome` on a profile a real Chromium wrote here: logged in to
// two HTTPS test sites, its cookies encrypted on disk. The import opens a copy
// with the real binary; what it keeps seeds a browser that is logged in to the
// filtered site only.

interface ImportSummary {
  profileDir: string;
  browser: string;
  cookies: number;
  origins: number;
  leftOut?: { cookies: number; origins: number };
  unmatchedDomains?: string[];
  pushed?: { environmentId: string; version: number };
}

interface Cookie {
  name: string;
  value: string;
  domain: string;
}

let sites: TestSites;
let api: ApiServer;
let dir: string;
/** The user-data-dir the desktop browser wrote, and its profile folder. */
let userDataDir: string;
let profileDir: string;
/** The cookies as the browser that set them saw them. */
let liveCookies: Cookie[];

beforeAll(async () => {
  sites = await startTestSites();
  api = await startApiServer();
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-import-"));
  userDataDir = join(dir, "desktop-chromium");
  profileDir = join(userDataDir, "Default");
  // A desktop browser as a person runs it: no --password-store flag, so it encrypts with what it picks here.
  const desktop = await launchTestChromium(userDataDir, sites.chromiumArgs);
  try {
    await logInToSite(desktop.endpoint, sites.origins, "bank");
    await logInToSite(desktop.endpoint, sites.origins, "shop");
    liveCookies = await cookiesOf(desktop.endpoint);
  } finally {
    await desktop.close();
  }
});

afterAll(async () => {
  await api?.stop();
  await sites?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function cookiesOf(endpoint: string): Promise<Cookie[]> {
  const { connectCdp } = await import("@webrun/browser-state");
  const connection = await connectCdp(endpoint);
  try {
    return (await connection.send("Storage.getCookies", {})).cookies;
  } finally {
    await connection.close();
  }
}

const sessionCookie = (domain: string) => {
  const cookie = liveCookies.find((c) => c.domain === domain);
  if (cookie === undefined) throw new Error(`the desktop browser holds no cookie of ${domain}`);
  return cookie;
};

/** A private TMPDIR per run, to see that the import leaves nothing behind. */
async function privateTmp(): Promise<string> {
  const tmp = join(dir, `tmp-${Math.random().toString(36).slice(2)}`);
  await mkdir(tmp);
  return tmp;
}

/** Which of the two sites a browser that `webrun-env launch <source>` seeded is logged in to. */
async function loggedInAfterLaunch(
  source: string[],
  env: Record<string, string>,
): Promise<{ bank: boolean; shop: boolean }> {
  const launched = await startWebrunEnv(
    ["launch", ...source, "--headless", "--", ...sites.chromiumArgs],
    env,
  );
  try {
    const ready = JSON.parse(launched.firstLine) as { http: string; pageTargetId: string };
    const loggedIn = async (site: "bank" | "shop") =>
      (await siteStatus(ready.http, sites.origins, site, ready.pageTargetId)).loggedIn;
    return { bank: await loggedIn("bank"), shop: await loggedIn("shop") };
  } finally {
    expect(await launched.stop()).toBe(0);
  }
}

/** What webrun-env left in a TMPDIR (Chromium itself may keep a `.config` there when HOME is unset). */
async function copiesIn(tmp: string): Promise<string[]> {
  return (await readdir(tmp)).filter((name) => name.startsWith("webrun-"));
}

describe("webrun-env import-chrome", () => {
  it("the profile's cookies are encrypted on disk: their values appear nowhere in its files", async () => {
    const files = await readdir(profileDir);
    const cookieFiles = files.filter((name) => name.startsWith("Cookies"));
    const bytes = Buffer.concat(
      await Promise.all(cookieFiles.map((name) => readFile(join(profileDir, name)))),
    );
    for (const domain of ["bank.test", "shop.test"]) {
      const cookie = sessionCookie(domain);
      expect(cookie.value.length).toBeGreaterThan(10);
      expect(bytes.includes(cookie.name)).toBe(true);
      expect(bytes.includes(cookie.value)).toBe(false);
    }
    // Chromium's "v10" marks a value encrypted with the Linux key the browser chose.
    expect(bytes.includes("v10")).toBe(true);
  });

  it("imports one site's logins (--only-domain), 0600, no copy left; seeding the file logs in to that site only", async () => {
    const out = join(dir, "bank.json");
    const tmp = await privateTmp();
    const result = await webrunEnv(
      ["import-chrome", "--profile-dir", profileDir, "--only-domain", "bank.test", "--out", out],
      { TMPDIR: tmp },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as ImportSummary;
    expect(summary).toMatchObject({ profileDir, cookies: 1, unmatchedDomains: [] });
    expect(summary.browser).toMatch(/^Chromium \d+/);
    expect(summary.leftOut?.cookies).toBeGreaterThanOrEqual(1);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    const state = JSON.parse(await readFile(out, "utf8")) as { cookies: Cookie[] };
    const bank = sessionCookie("bank.test");
    expect(state.cookies.map(({ name, value, domain }) => ({ name, value, domain }))).toEqual([
      { name: bank.name, value: bank.value, domain: "bank.test" },
    ]);
    expect(await copiesIn(tmp)).toEqual([]);

    expect(await loggedInAfterLaunch(["--state", out], {})).toEqual({ bank: true, shop: false });
  });

  it("pushes into an environment while the desktop browser still runs on the profile (a note), merged with what it holds", async () => {
    const created = await webrunEnv(["env", "create", "imported", "--json"], {
      WEBRUN_API: api.url,
      WEBRUN_API_KEY: api.key,
    });
    const id = (JSON.parse(created.stdout) as { environment: { _id: string } }).environment._id;
    const desktop = await launchTestChromium(userDataDir, sites.chromiumArgs);
    let result: Awaited<ReturnType<typeof webrunEnv>>;
    try {
      expect((await lstat(join(userDataDir, "SingletonLock"))).isSymbolicLink()).toBe(true);
      result = await webrunEnv(
        [
          "import-chrome",
          "--profile-dir",
          profileDir,
          "--password-store",
          "basic",
          "--only-domain",
          "shop.test",
          "--push",
          id,
        ],
        { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key, TMPDIR: await privateTmp() },
      );
    } finally {
      await desktop.close();
    }
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /^webrun-env: note: a browser \(pid \d+\) is running on .*Default: importing from a copy/,
    );
    const summary = JSON.parse(result.stdout) as ImportSummary;
    expect(summary.pushed).toMatchObject({ environmentId: id, version: 1 });

    expect(
      await loggedInAfterLaunch(["--env", id], { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key }),
    ).toEqual({ bank: false, shop: true });

    // A second import of another domain is merged in: the first one's logins stay.
    const again = await webrunEnv(
      ["import-chrome", "--profile-dir", profileDir, "--only-domain", "bank.test", "--push", id],
      { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key },
    );
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as ImportSummary).pushed).toMatchObject({ version: 2 });
    expect(
      await loggedInAfterLaunch(["--env", id], { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key }),
    ).toEqual({ bank: true, shop: true });
  });

  it("an --only-domain that matches nothing: a warning, nothing written, nothing pushed, exit 1", async () => {
    const apiEnv = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key };
    const created = await webrunEnv(["env", "create", "stays-empty", "--json"], apiEnv);
    const id = (JSON.parse(created.stdout) as { environment: { _id: string } }).environment._id;
    const out = join(dir, "nothing.json");
    const tmp = await privateTmp();
    const result = await webrunEnv(
      [
        "import-chrome",
        "--profile-dir",
        profileDir,
        "--only-domain",
        "nowhere.test",
        "--out",
        out,
        "--push",
        id,
      ],
      { ...apiEnv, TMPDIR: tmp },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("warning: --only-domain nowhere.test matched nothing");
    expect(result.stderr).toContain("nothing to import: the domain filter left out every cookie and origin");
    expect(result.stdout).toBe("");
    expect(existsSync(out)).toBe(false);
    expect((await readdir(dir)).filter((name) => name.includes("nothing.json"))).toEqual([]);
    expect(await copiesIn(tmp)).toEqual([]);
    const versions = await webrunEnv(["env", "versions", id, "--json"], apiEnv);
    expect(JSON.parse(versions.stdout)).toMatchObject({ versions: [] });
  });

  it("refuses a folder that is not a Chromium profile, naming what is missing (and a user-data-dir, naming a profile)", async () => {
    const empty = join(dir, "not-a-profile");
    await mkdir(empty, { recursive: true });
    await writeFile(join(empty, "Preferences"), "{}");
    const notProfile = await webrunEnv([
      "import-chrome",
      "--profile-dir",
      empty,
      "--out",
      join(dir, "x.json"),
    ]);
    expect(notProfile.code).toBe(1);
    expect(notProfile.stderr).toBe(
      `webrun-env: ${empty} is not a Chromium profile folder: it has no cookie database (Cookies or Network/Cookies)\n`,
    );
    const parent = await webrunEnv([
      "import-chrome",
      "--profile-dir",
      userDataDir,
      "--out",
      join(dir, "x.json"),
    ]);
    expect(parent.code).toBe(1);
    expect(parent.stderr).toContain("it has no Preferences");
    expect(parent.stderr).toContain(`give one of its profile folders, e.g. ${profileDir}`);
  });

  it("refuses a browser binary that is not Chromium-based, an unknown browser name and a missing target", async () => {
    const echo = await webrunEnv([
      "import-chrome",
      "--profile-dir",
      profileDir,
      "--browser",
      "/bin/echo",
      "--out",
      join(dir, "x.json"),
    ]);
    expect(echo.code).toBe(1);
    expect(echo.stderr).toMatch(/^webrun-env: \/bin\/echo is not a Chromium-based browser/);
    const firefox = await webrunEnv([
      "import-chrome",
      "--profile-dir",
      "firefox:default",
      "--out",
      join(dir, "x.json"),
    ]);
    expect(firefox.code).toBe(1);
    expect(firefox.stderr).toMatch(/unknown browser "firefox"/);
    const noTarget = await webrunEnv(["import-chrome", "--profile-dir", profileDir]);
    expect(noTarget.code).toBe(1);
    expect(noTarget.stderr).toContain("give --out <file>, --push <environment id>, or both");
  });

  it("SIGTERM during the import removes the copy and leaves no browser behind", async () => {
    const tmp = await privateTmp();
    const child = spawn(
      process.execPath,
      [cli, "import-chrome", "--profile-dir", profileDir, "--out", join(dir, "interrupted.json")],
      { env: { ...process.env, TMPDIR: tmp }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    // The browser is up once its DevTools port file is in the copy.
    await expect
      .poll(
        async () => {
          const [copy] = await readdir(tmp);
          return copy !== undefined && existsSync(join(tmp, copy, "DevToolsActivePort"));
        },
        { timeout: 60_000, interval: 20 },
      )
      .toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe(2);
    expect(stderr).toContain("interrupted: nothing imported; the copy of the profile was removed");
    expect(await copiesIn(tmp)).toEqual([]);
    expect(existsSync(join(dir, "interrupted.json"))).toBe(false);
    const orphans = await new Promise<string>((resolve) =>
      execFile("pgrep", ["-f", tmp], (_error, found) => resolve(found.trim())),
    );
    expect(orphans).toBe("");
  });
});
