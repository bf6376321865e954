import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LaunchedBrowser, launchChromium } from "@webrun/browser-state";
import { logInToSite, startTestSites, type TestSites } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headlessChromium } from "../support/headless-chromium.js";
import { type ApiServer, type CliRun, closedPort, startApiServer, webrunEnv } from "./env-api-server.js";

// What an environment holds, as `webrun-env` shows it against a real API
// process: `env diff` between versions, login expiry in `env list` and
// `env inspect`, and `env check` on a real Chromium against the HTTPS test sites.

const secret = "COOKIE-S3CRET-INSIGHT";
const day = 86_400;
const now = () => Math.floor(Date.now() / 1000);
const extensionId = "abcdefghijklmnopabcdefghijklmnop";

/** Version 1, and version 2 with a unit of every kind changed. */
function stateOf(version: 1 | 2) {
  const cookie = (name: string, domain: string, expires: number, value = `${secret}-${name}`) => ({
    name,
    value,
    domain,
    path: "/",
    expires,
    httpOnly: true,
    secure: true,
    session: false,
  });
  return {
    version: 1,
    cookies:
      version === 1
        ? [cookie("sid", "mail.example.test", now() + 90 * day, `${secret}-one`)]
        : [
            cookie("sid", "mail.example.test", now() + 90 * day, `${secret}-two`),
            cookie("sid", "bank.example.test", now() + 3 * day),
          ],
    origins: [
      {
        origin: "https://mail.example.test",
        localStorage: [{ name: "token", value: `${secret}-ls-${version}` }],
        indexedDB: [
          {
            name: "mail",
            version: 1,
            objectStores: [
              {
                name: "drafts",
                keyPath: "id",
                autoIncrement: false,
                indexes: [],
                records: version === 1 ? [] : [{ key: 1, value: { id: 1, text: secret } }],
              },
            ],
          },
        ],
      },
    ],
    extensions: [
      {
        id: extensionId,
        name: "Ext",
        version: "1.0",
        manifest: { manifest_version: 3 },
        storage: { local: { auth: `${secret}-ext-${version}` }, sync: {} },
      },
    ],
  };
}

let api: ApiServer;
let sites: TestSites;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  [api, sites] = await Promise.all([startApiServer(), startTestSites()]);
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-insight-"));
  env = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key, CHROME_PATH: await headlessChromium(dir, sites) };
}, 120_000);

afterAll(async () => {
  await Promise.all([api?.stop(), sites?.stop()]);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<CliRun> {
  const result = await webrunEnv(args, env);
  expect(result.stdout + result.stderr).not.toContain(secret);
  return result;
}

async function environmentWith(...states: object[]): Promise<string> {
  const created = await run("env", "create", "insight", "--json");
  const id = JSON.parse(created.stdout).environment._id as string;
  for (const [index, state] of states.entries()) {
    const file = join(dir, `${id}-${index}.json`);
    await writeFile(file, JSON.stringify(state));
    expect((await run("env", "push", id, file)).code).toBe(0);
  }
  return id;
}

describe("webrun-env env diff", { timeout: 60_000 }, () => {
  it("shows every changed unit as a table, values only as fingerprints; --json gives the API's answer", async () => {
    const id = await environmentWith(stateOf(1), stateOf(2));
    const table = await run("env", "diff", id, "1", "2");
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(new RegExp(`^${id}: version 1 \\(.+\\) → version 2 \\(.+\\)$`));
    expect(lines[1]).toMatch(/^CHANGE\s+KIND\s+WHERE\s+NAME\s+FINGERPRINTS$/);
    const rows = lines.slice(2).map((line) => line.split(/\s{2,}/));
    expect(rows).toEqual(
      expect.arrayContaining([
        ["added", "cookie", "sid bank.example.test /"],
        [
          "changed",
          "cookie",
          "sid mail.example.test /",
          expect.stringMatching(/^[0-9a-f]{16} → [0-9a-f]{16}$/),
        ],
        ["changed", "localStorage", "https://mail.example.test", "token", expect.stringMatching(/ → /)],
        ["records", "indexedDB", "https://mail.example.test", "mail/drafts: 0 → 1 (+1 -0 ~0)"],
        ["changed", "chrome.storage", extensionId, "local:auth", expect.stringMatching(/ → /)],
      ]),
    );
    expect(rows).toHaveLength(5);

    const json = JSON.parse((await run("env", "diff", id, "1", "2", "--json")).stdout);
    expect(json.diff.state.cookies.changed[0]).toMatchObject({ name: "sid", domain: "mail.example.test" });
    // The same change, asked the other way round, shows the same fingerprints swapped.
    const back = JSON.parse((await run("env", "diff", id, "2", "1", "--json")).stdout);
    expect(back.diff.state.cookies.changed[0].before).toBe(json.diff.state.cookies.changed[0].after);

    const same = await run("env", "diff", id, "2", "2");
    expect(same.stdout.trim().split("\n")[1]).toBe("no differences");
  });

  it("refuses a version that is not kept, naming the kept range; and a version that is no number", async () => {
    const id = await environmentWith(stateOf(1), stateOf(2));
    const missing = await run("env", "diff", id, "1", "9");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("Version 9 is not kept; kept versions are 1–2");
    const bad = await run("env", "diff", id, "1", "two");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("must be a version number");
  });
});

describe("login expiry in env list and env inspect", { timeout: 60_000 }, () => {
  it("marks the environment whose logins expire within 7 days and shows each domain's expiries", async () => {
    const id = await environmentWith(stateOf(2));
    const fresh = await environmentWith(stateOf(1));
    const list = await run("env", "list");
    const rowOf = (envId: string) => list.stdout.split("\n").find((line) => line.startsWith(envId));
    expect(rowOf(id)).toMatch(/! 1 domain expiring within 7 days$/);
    expect(rowOf(fresh)).toMatch(/\sok$/);

    const inspected = await run("env", "inspect", id);
    expect(inspected.stdout).toContain("logins now   expire within 7 days: bank.example.test");
    expect(inspected.stdout).toMatch(/cookie expiry as saved \(.+: 0 expired, 1 expiring within 7 days\):/);
    expect(inspected.stdout).toMatch(/^DOMAIN\s+PERSISTENT\s+SESSION\s+FIRST EXPIRES\s+LAST EXPIRES$/m);
    expect(inspected.stdout).toMatch(/^bank\.example\.test\s+1\s+0\s+\d{4}-\d\d-\d\d /m);
    const json = JSON.parse((await run("env", "inspect", id, "--json")).stdout);
    expect(json.environment.loginExpiry).toMatchObject({
      expired: [],
      expiresWithin7Days: ["bank.example.test"],
    });
    expect(json.environment.summary.cookieExpiry).toMatchObject({ expired: 0, expiresWithin7Days: 1 });
  });
});

describe("webrun-env env check", { timeout: 120_000 }, () => {
  let browser: LaunchedBrowser | undefined;
  let loggedIn: string;
  let loggedOut: string;
  const loggedInMarker = `body[data-status*='"loggedIn":true']`;
  const account = () => `${sites.origins.bank}/account`;

  beforeAll(async () => {
    browser = await launchChromium({
      userDataDir: await mkdtemp(join(dir, "bank-")),
      args: sites.chromiumArgs,
    });
    await logInToSite(browser.cdpUrl, sites.origins, "bank");
    loggedIn = await environmentWith();
    const capture = await run("capture", "--cdp", browser.httpUrl, "--push", loggedIn);
    expect(capture.code).toBe(0);
    await browser.close();
    loggedOut = await environmentWith(stateOf(1));
  }, 120_000);

  afterAll(() => browser?.close());

  it("exits 0 on a page that shows the logged-in marker, printing what it saw", async () => {
    const result = await run("env", "check", loggedIn, "--url", account(), "--selector", loggedInMarker);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("logged in\n");
    expect(result.stdout).toContain(`final URL  ${account()}`);
    const json = JSON.parse(
      (await run("env", "check", loggedIn, "--url", account(), "--title-contains", "Bank", "--json")).stdout,
    );
    expect(json).toMatchObject({ environmentId: loggedIn, loggedIn: true, url: account() });
  });

  it("exits 1 on a page that does not", async () => {
    const result = await run(
      "env",
      "check",
      loggedOut,
      "--url",
      account(),
      "--selector",
      loggedInMarker,
      "--wait",
      "1",
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("not logged in\n");
    expect(result.stdout).toContain("matched nothing");
    expect(result.stderr).toContain("does not show the logged-in marker");
  });

  it("refuses neither or both markers (1), and exits 2 when the page cannot be loaded", async () => {
    const neither = await run("env", "check", loggedIn, "--url", account());
    expect(neither.code).toBe(1);
    expect(neither.stderr).toContain("give exactly one logged-in marker");
    const both = await run(
      "env",
      "check",
      loggedIn,
      "--url",
      account(),
      "--selector",
      "p",
      "--title-contains",
      "x",
    );
    expect(both.code).toBe(1);
    const badSelector = await run("env", "check", loggedIn, "--url", account(), "--selector", "p[");
    expect(badSelector.code).toBe(1);
    expect(badSelector.stderr).toContain("is not a valid CSS selector");
    const down = await run(
      "env",
      "check",
      loggedIn,
      "--url",
      `https://127.0.0.1:${await closedPort()}/`,
      "--selector",
      "p",
    );
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/could not load https:\/\/127\.0\.0\.1:\d+\/: net::ERR_CONNECTION_REFUSED/);
  });
});
