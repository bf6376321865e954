import { existsSync } from "node:fs";
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StateReport } from "@webrun/state";
import {
  BrowserDriver,
  logInToSite,
  siteStatus,
  startTestSites,
  type TestSites,
} from "@webrun/test-fixtures";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startApi } from "../support/api-process.js";
import { repoRoot } from "../support/built-apps.js";
import { ProcessGroups, waitForOutput } from "../support/process-groups.js";
import { type ApiServer, startApiServer, startWebrunEnv, webrunEnv } from "./env-api-server.js";

// `webrun-env session` as a process against a real API process (and once
// against a store folder opened in-process), real Chromium, the HTTPS test
// sites: logins made in one session are in the next, whoever stops it and however.

interface Ready {
  cdp: string;
  pageTargetId: string;
  pid: number;
  environmentId: string;
  baseVersion: number | null;
  filesDir: string;
  downloadsDir: string;
  seeded: { cookies: number };
}

interface Receipt {
  environmentId: string;
  saved: { version: number; baseVersion: number | null; merged: boolean; mergedWith: number[] } | null;
  notSaved: { code: string; message: string } | null;
  captured: StateReport | null;
}

let sites: TestSites;
let api: ApiServer;
let dir: string;
let apiEnv: Record<string, string>;

beforeAll(async () => {
  sites = await startTestSites();
  api = await startApiServer();
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-session-"));
  apiEnv = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key, TMPDIR: dir };
});

/** Sessions a test started and has not stopped: a test that fails half-way must not leave a browser behind. */
const unstopped = new Set<{ stop(): Promise<unknown> }>();

afterEach(async () => {
  await Promise.all([...unstopped].map((running) => running.stop()));
  unstopped.clear();
});

afterAll(async () => {
  await api?.stop();
  await sites?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function createEnvironment(name: string, env = apiEnv): Promise<string> {
  const created = await webrunEnv(["env", "create", name, "--json"], env);
  expect(created.code, created.stderr).toBe(0);
  return (JSON.parse(created.stdout) as { environment: { _id: string } }).environment._id;
}

/** A running `webrun-env session` on `environmentId`, with the test sites' Chromium flags. */
async function startSession(environmentId: string, extra: readonly string[] = [], env = apiEnv) {
  const running = await startWebrunEnv(
    ["session", "--env", environmentId, "--headless", ...extra, "--", ...sites.chromiumArgs],
    env,
  );
  unstopped.add(running);
  const ready = JSON.parse(running.firstLine) as Ready;
  /** SIGTERM; resolves with the exit code and the receipt line. */
  const stop = async () => {
    unstopped.delete(running);
    const code = await running.stop();
    return { code, receipt: receiptIn(running.stdout()), stderr: running.stderr() };
  };
  return { ready, stop, running };
}

/** The line after the ready line. */
function receiptIn(stdout: string): Receipt {
  const lines = stdout.trim().split("\n");
  expect(lines, stdout).toHaveLength(2);
  return JSON.parse(lines[1] as string) as Receipt;
}

type FormSite = Parameters<typeof logInToSite>[2];
const logIn = (ready: Ready, site: FormSite) =>
  logInToSite(ready.cdp, sites.origins, site, ready.pageTargetId);
const statusOf = (ready: Ready, site: FormSite) =>
  siteStatus(ready.cdp, sites.origins, site, ready.pageTargetId);

const processGone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

describe("webrun-env session against the API", () => {
  let environmentId: string;
  beforeAll(async () => {
    environmentId = await createEnvironment("session-work");
  });

  it("a login made in the session is saved on SIGTERM, and the next session is logged in", async () => {
    const first = await startSession(environmentId);
    expect(first.ready).toMatchObject({ environmentId, baseVersion: null });
    expect(existsSync(first.ready.filesDir) && existsSync(first.ready.downloadsDir)).toBe(true);
    await logIn(first.ready, "bank");
    const closed = await first.stop();
    expect(closed.code, closed.stderr).toBe(0);
    expect(closed.receipt).toMatchObject({
      environmentId,
      saved: { version: 1, baseVersion: null, merged: false, mergedWith: [] },
      notSaved: null,
      captured: { complete: true, origins: { dropped: [] }, passkeys: { kept: 0, of: 0 } },
    });
    expect(closed.receipt.captured?.cookies.kept).toBeGreaterThanOrEqual(1);
    expect(closed.stderr).not.toContain("session capture");
    expect(processGone(first.ready.pid)).toBe(true);
    expect(existsSync(first.ready.filesDir)).toBe(false);

    const inspected = await webrunEnv(["env", "inspect", environmentId, "--json"], apiEnv);
    const head = JSON.parse(inspected.stdout) as { environment: { version: number } };
    expect(head.environment.version).toBe(1);

    const second = await startSession(environmentId);
    expect(second.ready.baseVersion).toBe(1);
    expect((await statusOf(second.ready, "bank")).loggedIn).toBe(true);
    // A Blob in IndexedDB cannot travel as JSON: the close's storage snapshot carries it, so nothing is dropped.
    const driver = await BrowserDriver.connect(second.ready.cdp, second.ready.pageTargetId);
    await driver.evaluate(`new Promise((ok, fail) => { const open = indexedDB.open("files", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("blobs");
  open.onsuccess = () => { const tx = open.result.transaction("blobs", "readwrite");
    tx.objectStore("blobs").put(new Blob(["draft"]), "draft"); tx.oncomplete = () => ok(true); tx.onerror = () => fail(tx.error); };
  open.onerror = () => fail(open.error); })`);
    await driver.close();
    const secondClosed = await second.stop();
    expect(secondClosed.receipt.saved).toMatchObject({
      version: 2,
      baseVersion: 1,
      snapshot: { outcome: "replaced", reason: "this session's storage snapshot is the environment's first" },
    });
    expect(secondClosed.receipt.captured).toMatchObject({ complete: true, origins: { dropped: [] } });
    expect(secondClosed.stderr).not.toContain("session capture");
  });

  it("--only-domain that matches nothing in the environment: a warning, and the ready line names it", async () => {
    const filtered = await startSession(environmentId, ["--only-domain", "typo.test", "--no-save"]);
    expect(filtered.running.stderr()).toContain("warning: --only-domain typo.test matched nothing");
    expect(filtered.ready.seeded).toMatchObject({
      cookies: 0,
      notSeeded: { byDomainFilter: { cookies: 1 }, unmatchedDomains: ["typo.test"] },
    });
    expect((await statusOf(filtered.ready, "bank")).loggedIn).toBe(false);
    expect((await filtered.stop()).code).toBe(0);
  });

  it("Ctrl-C to the whole process group of `pnpm --silent webrun-env session` still captures and saves", async () => {
    const groups = new ProcessGroups({
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, ...apiEnv },
    });
    try {
      const args = sites.chromiumArgs.map((arg) => `'${arg}'`).join(" ");
      const running = groups.start(
        `pnpm --silent webrun-env session --env ${environmentId} --headless -- ${args}`,
      );
      const ready = await waitForOutput(
        running,
        ({ stdout }) =>
          stdout.includes("\n") ? (JSON.parse(stdout.split("\n")[0] as string) as Ready) : undefined,
        "the ready line",
      );
      await logIn(ready, "shop");
      await running.interrupt();
      const receipt = receiptIn(running.stdout());
      expect(receipt.saved, running.stderr()).toMatchObject({
        baseVersion: ready.baseVersion,
        merged: false,
      });
      expect(processGone(ready.pid)).toBe(true);
    } finally {
      await groups.killAll();
    }

    const next = await startSession(environmentId);
    expect((await statusOf(next.ready, "shop")).loggedIn).toBe(true);
    expect((await statusOf(next.ready, "bank")).loggedIn).toBe(true);
    await next.stop();
  });

  it("two sessions on one environment, stopped at once: both logins end up in the head", async () => {
    const shared = await createEnvironment("session-shared");
    const [a, b] = await Promise.all([startSession(shared), startSession(shared)]);
    await logIn(a.ready, "notes");
    await logIn(b.ready, "mail");
    const [closedA, closedB] = await Promise.all([a.stop(), b.stop()]);
    expect([closedA.code, closedB.code]).toEqual([0, 0]);
    const receipts = [closedA.receipt, closedB.receipt].sort(
      (x, y) => (x.saved?.version ?? 0) - (y.saved?.version ?? 0),
    );
    expect(receipts.map((receipt) => receipt.saved)).toMatchObject([
      { version: 1, baseVersion: null, merged: false },
      { version: 2, baseVersion: null, merged: true, mergedWith: [1] },
    ]);

    const third = await startSession(shared);
    expect(third.ready.baseVersion).toBe(2);
    expect((await statusOf(third.ready, "notes")).loggedIn).toBe(true);
    expect((await statusOf(third.ready, "mail")).loggedIn).toBe(true);
    await third.stop();
  });

  it("the environment's files are in filesDir; a finished download becomes an environment file", async () => {
    const upload = join(dir, "brief.txt");
    await writeFile(upload, "the brief");
    const uploaded = await webrunEnv(["files", "upload", upload, "--env", environmentId], apiEnv);
    expect(uploaded.code, uploaded.stderr).toBe(0);

    const session = await startSession(environmentId);
    expect(await readFile(join(session.ready.filesDir, "brief.txt"), "utf8")).toBe("the brief");
    const driver = await BrowserDriver.connect(session.ready.cdp, session.ready.pageTargetId);
    try {
      await driver.goto(`${sites.origins.bank}/`);
      await driver.evaluate(`(() => { const link = document.createElement("a");
link.href = URL.createObjectURL(new Blob(["exported"], { type: "text/plain" }));
link.download = "brief.txt"; document.body.append(link); link.click(); return true; })()`);
    } finally {
      await driver.close();
    }
    await expect
      .poll(async () => (await readdir(session.ready.downloadsDir)).length, { timeout: 15_000 })
      .toBe(1);
    const { receipt } = await session.stop();
    expect(receipt).toMatchObject({ files: [{ originalName: "brief (2).txt", size: 8 }], notUploaded: [] });
    const listed = await webrunEnv(["files", "list", "--env", environmentId, "--json"], apiEnv);
    const names = (JSON.parse(listed.stdout) as { files: { originalName: string }[] }).files.map(
      (file) => file.originalName,
    );
    expect(names.sort()).toEqual(["brief (2).txt", "brief.txt"]);
  });

  it("an unknown id: exit 1 with what to do, and no browser started", async () => {
    const spy = join(dir, "chromium-spy.sh");
    const started = join(dir, "chromium-started");
    await writeFile(spy, `#!/bin/sh\ntouch '${started}'\nexec /usr/bin/chromium "$@"\n`);
    await chmod(spy, 0o755);
    const result = await webrunEnv(["session", "--env", "683a1f2e4b0c1d2e3f4a5b6c", "--headless"], {
      ...apiEnv,
      CHROME_PATH: spy,
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/not found.*`webrun-env env list` shows your environments/i);
    expect(existsSync(started)).toBe(false);
  });

  it("no display and no --headless: exit 1 naming --headless, nothing saved and no temporary folder left", async () => {
    const versionOf = async () =>
      (
        JSON.parse((await webrunEnv(["env", "inspect", environmentId, "--json"], apiEnv)).stdout) as {
          environment: { version: number | null };
        }
      ).environment.version;
    const before = await versionOf();
    const sessionTmp = await mkdtemp(join(dir, "no-display-"));
    // webrunEnv passes PATH and these alone: no DISPLAY or WAYLAND_DISPLAY, as on a server. A HOME of
    // its own, as a person has one: without it Chromium puts its ~/.config into TMPDIR.
    const result = await webrunEnv(["session", "--env", environmentId], {
      ...apiEnv,
      TMPDIR: sessionTmp,
      HOME: join(dir, "home"),
    });
    expect(result.code, result.stderr).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(
      /^webrun-env: no display to open the browser's window on .*: add --headless/,
    );
    expect(await readdir(sessionTmp)).toEqual([]);
    expect(await versionOf()).toBe(before);
  });

  it("the browser exiting by itself: the receipt says nothing was saved and why, exit non-zero", async () => {
    const session = await startSession(environmentId);
    const { version: before } = (
      JSON.parse((await webrunEnv(["env", "inspect", environmentId, "--json"], apiEnv)).stdout) as {
        environment: { version: number };
      }
    ).environment;
    process.kill(session.ready.pid, "SIGKILL");
    const code = await session.running.exited;
    expect(code).toBe(2);
    expect(receiptIn(session.running.stdout())).toMatchObject({
      saved: null,
      notSaved: { code: "BROWSER_EXITED" },
    });
    expect(session.running.stderr()).toContain("the browser exited by itself");
    const after = JSON.parse(
      (await webrunEnv(["env", "inspect", environmentId, "--json"], apiEnv)).stdout,
    ) as {
      environment: { version: number };
    };
    expect(after.environment.version).toBe(before);
  });
});

describe("webrun-env session when the save fails", () => {
  it("exits non-zero naming the retry command, which saves the kept capture once the API is back", async () => {
    const dataDir = await mkdtemp(join(dir, "retry-data-"));
    const key = "wk_retry_S3CRET_key_0001";
    const settings = { DATA_DIR: dataDir, API_KEYS: `${key}:alice` };
    let server = await startApi(settings);
    try {
      const env = () => ({ WEBRUN_API: server.url, WEBRUN_API_KEY: key, TMPDIR: dir });
      const environmentId = await createEnvironment("retry-work", env());
      const session = await startSession(environmentId, [], env());
      await logIn(session.ready, "bank");
      await server.stop();
      const code = await session.running.stop();
      expect(code).toBe(2);
      const retry = /retry with: webrun-env session --retry ("[^"]+")/.exec(session.running.stderr());
      expect(retry, session.running.stderr()).not.toBeNull();
      const folder = JSON.parse(retry?.[1] ?? "") as string;
      expect(existsSync(join(folder, "capture.json"))).toBe(true);
      expect(session.running.stderr()).not.toContain("S3CRET");

      server = await startApi(settings);
      const retried = await webrunEnv(["session", "--retry", folder], env());
      expect(retried.code, retried.stderr).toBe(0);
      expect(JSON.parse(retried.stdout)).toMatchObject({ saved: { version: 1, baseVersion: null } });
      expect(existsSync(folder)).toBe(false);
      const next = await startSession(environmentId, [], env());
      expect((await statusOf(next.ready, "bank")).loggedIn).toBe(true);
      await next.stop();
    } finally {
      await server.stop();
    }
  });
});

describe("webrun-env session --data-dir", () => {
  it("opens the store in the folder the API serves, and saves into it", async () => {
    // The embedded default with its local key (user `local`): the same data the session opens in-process.
    const dataDir = await mkdtemp(join(dir, "data-"));
    const local = await startApi({ DATA_DIR: dataDir });
    try {
      const localEnv = { WEBRUN_API: local.url, DATA_DIR: dataDir, TMPDIR: dir };
      const environmentId = await createEnvironment("local-work", localEnv);
      const session = await startSession(environmentId, ["--data-dir", dataDir], { TMPDIR: dir });
      expect(session.ready.baseVersion).toBeNull();
      await logIn(session.ready, "admin");
      const closed = await session.stop();
      expect(closed.code, closed.stderr).toBe(0);
      expect(closed.receipt.saved).toMatchObject({ version: 1, baseVersion: null });

      const inspected = await webrunEnv(["env", "inspect", environmentId, "--json"], localEnv);
      const { environment } = JSON.parse(inspected.stdout) as {
        environment: { version: number; summary: { cookieDomains: string[] } };
      };
      expect(environment.version).toBe(1);
      expect(environment.summary.cookieDomains.join(" ")).toContain(new URL(sites.origins.admin).hostname);
    } finally {
      await local.stop();
    }
  });

  it("a folder without webrun data is refused before any browser starts", async () => {
    const empty = await mkdtemp(join(dir, "empty-"));
    const result = await webrunEnv(
      ["session", "--env", "683a1f2e4b0c1d2e3f4a5b6c", "--data-dir", empty, "--headless"],
      { TMPDIR: dir },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("holds no webrun data");
    expect(existsSync(join(empty, "master.key"))).toBe(false);
  });
});
