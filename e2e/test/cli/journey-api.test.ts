import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connectCdp, type LaunchedBrowser, launchChromium } from "@webrun/browser-state";
import {
  acquireTestS3Server,
  apiS3Settings,
  BrowserDriver,
  checkEverySite,
  checkTestExtension,
  createTestBucket,
  describeFailedChecks,
  logInToEverySite,
  logInToTestExtension,
  startTestSites,
  type TestSites,
  testExtension,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { visit } from "./browser-cli-helpers.js";
import { type ApiServer, startApiServer, startWebrunEnv, webrunEnv } from "./env-api-server.js";

// The whole journey a person follows in the README, with real Chromium and a
// real API server process: log in to the test sites, `capture --push` into an
// environment, `launch --env` a fresh browser from it — still logged in. Once
// on the embedded default storage, once on S3 (the run's Ceph RGW).

let sites: TestSites;
let dir: string;

beforeAll(async () => {
  sites = await startTestSites();
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-journey-"));
}, 120_000);

afterAll(async () => {
  await sites?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The API's storage settings: nothing for the embedded default; a fresh bucket on the run's S3 server for S3. */
async function storage(
  mode: "fs" | "s3",
): Promise<{ settings: Record<string, string>; stop(): Promise<void> }> {
  if (mode === "fs") return { settings: {}, stop: async () => undefined };
  const { server: s3, release } = await acquireTestS3Server();
  try {
    const { bucket, remove } = await createTestBucket(s3, "cli-journey");
    return {
      settings: {
        ...apiS3Settings(s3, bucket),
        WEBRUN_MASTER_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      },
      stop: async () => {
        await remove();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

async function failedChecks(endpoint: string, pageTargetId: string | undefined): Promise<string[]> {
  const failed = describeFailedChecks(await checkEverySite(endpoint, sites.origins, pageTargetId));
  const extension = await checkTestExtension(endpoint, testExtension.id, pageTargetId);
  if (!extension.loggedIn) failed.push(`extension: ${JSON.stringify(extension)}`);
  return failed;
}

for (const mode of ["fs", "s3"] as const) {
  describe(`journey through the API on ${mode === "fs" ? "the embedded default" : "Ceph RGW"}: capture --push → launch --env → still logged in`, {
    timeout: 60_000,
  }, () => {
    let environmentId: string;
    let api: ApiServer;
    let env: Record<string, string>;
    let store: Awaited<ReturnType<typeof storage>> | undefined;
    let original: LaunchedBrowser | undefined;
    let launched: Awaited<ReturnType<typeof startWebrunEnv>> | undefined;

    beforeAll(async () => {
      store = await storage(mode);
      api = await startApiServer(undefined, store.settings);
      env = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key };
    }, 240_000);

    afterAll(async () => {
      await Promise.all([original?.close(), launched?.stop()]);
      await api?.stop();
      await store?.stop();
    });

    it("a browser logged in everywhere is captured straight into a new environment", async () => {
      const created = await webrunEnv(["env", "create", "journey", "--json"], env);
      expect(created.code).toBe(0);
      environmentId = JSON.parse(created.stdout).environment._id;

      const profile = await mkdtemp(join(dir, "original-profile-"));
      original = await launchChromium({
        userDataDir: profile,
        args: sites.chromiumArgs,
        extensionDirs: [testExtension.dir],
      });
      await logInToEverySite(original.cdpUrl, sites.origins);
      await logInToTestExtension(original.cdpUrl, testExtension.id);
      // The first tab ends on the sessionStorage site, as a user's tab would when the session ends;
      // a second tab shows the page embedding the widget (its partitioned storage is read through that iframe).
      const driver = await BrowserDriver.connect(original.cdpUrl);
      await driver.statusAt(`${sites.origins.chat}/account`);
      await driver.close();
      const connection = await connectCdp(original.cdpUrl);
      await visit(connection, `${sites.origins.news}/`);
      await connection.close();
      sites.reset();

      const capture = await webrunEnv(
        [
          "capture",
          "--cdp",
          original.httpUrl,
          "--profile-dir",
          original.userDataDir,
          "--push",
          environmentId,
        ],
        env,
      );
      expect(capture.stderr).toBe("");
      expect(capture.code).toBe(0);
      const summary = JSON.parse(capture.stdout);
      expect(summary).toMatchObject({ extensions: 1, pushed: { environmentId, version: 1 } });
      expect(summary.out).toBeUndefined();
      // Capturing sent nothing to the sites.
      expect(sites.requests()).toEqual([]);

      // A push that fails keeps the capture (a session cannot be captured twice) and says where.
      const refused = await webrunEnv(
        ["capture", "--cdp", original.httpUrl, "--push", "683a1f2e4b0c1d2e3f4a5b6c"],
        env,
      );
      expect(refused.code).toBe(1);
      const kept = /the capture is kept at (\S+)/.exec(refused.stderr)?.[1];
      expect(refused.stderr).toContain("Environment not found");
      expect(kept && (await stat(kept)).size).toBeGreaterThan(0);
      await rm(dirname(kept as string), { recursive: true, force: true });
      await original.close();
      original = undefined;

      const inspected = JSON.parse(
        (await webrunEnv(["env", "inspect", environmentId, "--json"], env)).stdout,
      );
      expect(inspected.environment).toMatchObject({ status: "ready", version: 1 });
      expect(inspected.environment.summary.cookies).toBe(summary.cookies);
      expect(inspected.environment.summary.cookieDomains).toEqual(
        expect.arrayContaining(["bank.test", "mail.test"]),
      );
      expect(inspected.environment.summary.extensions.map((e: { id: string }) => e.id)).toEqual([
        testExtension.id,
      ]);
    }, 180_000);

    it("launch --env seeds a fresh browser from the API: every site and the extension still logged in", async () => {
      sites.reset();
      const pulls = async () => (await readdir(tmpdir())).filter((name) => name.startsWith("webrun-pull-"));
      const pullsBefore = await pulls();
      launched = await startWebrunEnv(
        ["launch", "--env", environmentId, "--headless", "--", ...sites.chromiumArgs],
        env,
      );
      const ready = JSON.parse(launched.firstLine) as { cdp: string; pid: number; pageTargetId?: string };
      expect(ready.cdp).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
      // Seeding sent nothing to the sites either.
      expect(sites.requests()).toEqual([]);
      // The pulled archive was only a step: no copy of it is left in the temp folder.
      expect(await pulls()).toEqual(pullsBefore);
      const cmdline = (await readFile(`/proc/${ready.pid}/cmdline`, "latin1")).split("\0");
      const profileDir = cmdline
        .find((arg) => arg.startsWith("--user-data-dir="))
        ?.slice("--user-data-dir=".length);
      expect(profileDir && existsSync(profileDir)).toBe(true);

      // Server-session sites see their cookie; token sites' page scripts read their storage.
      expect(await failedChecks(ready.cdp, ready.pageTargetId)).toEqual([]);
      expect(sites.hits({ host: "bank.test", path: "/account" })).toBeGreaterThan(0);

      expect(await launched.stop()).toBe(0);
      launched = undefined;
      expect(() => process.kill(ready.pid, 0)).toThrow();
      expect(existsSync(profileDir as string)).toBe(false);
    }, 180_000);

    it("no secret reached the server's log: the API key, the S3 secret, the master key", () => {
      const secrets = [
        api.key,
        store?.settings.AWS_SECRET_ACCESS_KEY,
        store?.settings.WEBRUN_MASTER_KEYS?.slice(3),
      ];
      for (const secret of secrets) if (secret) expect(api.output()).not.toContain(secret);
      expect(api.output()).toContain(`listening at ${api.url} (storage: ${mode})`);
    });

    it("launch --env of a new, empty environment opens an empty browser and says how to save it", async () => {
      const created = await webrunEnv(["env", "create", "fresh", "--json"], env);
      const freshId = JSON.parse(created.stdout).environment._id as string;
      const empty = await startWebrunEnv(["launch", "--env", freshId, "--headless"], env);
      try {
        const ready = JSON.parse(empty.firstLine) as { cdp: string; pid: number };
        expect(ready.cdp).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
        expect(empty.stderr()).toBe(
          `webrun-env: environment ${freshId} holds no browser data yet: this browser starts empty; save it with \`webrun-env capture --cdp <http> --push ${freshId}\` while it is open\n`,
        );
      } finally {
        expect(await empty.stop()).toBe(0);
      }
    });

    it("launch --env with an unknown environment exits 1 before starting a browser", async () => {
      const result = await webrunEnv(["launch", "--env", "683a1f2e4b0c1d2e3f4a5b6c", "--headless"], env);
      expect(result).toMatchObject({
        code: 1,
        stdout: "",
        stderr: "webrun-env: Environment not found: `webrun-env env list` shows your environments\n",
      });
      const both = await webrunEnv(["launch", "--env", environmentId, "--state", "x.json"], env);
      expect(both).toMatchObject({
        code: 1,
        stderr: "webrun-env: give one of --state <file> or --env <environment id>\n",
      });
    });
  });
}
