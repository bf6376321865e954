import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  BrowserDriver,
  type SiteStatus,
  startTestSites,
  type TestSites,
  testPassword,
  testUserOf,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { headlessChromium } from "./support/headless-chromium.js";
import { ProcessGroups, type RunningCommand, waitForOutput } from "./support/process-groups.js";
import { fillPlaceholders, quickstartCommands } from "./support/readme-commands.js";

// The README's quick start, run as a person runs it: the commands are read
// from README.md (the sh blocks between <!-- quickstart --> and
// <!-- quickstart-end -->) and run with `sh -c` from the repository root,
// exactly as written. The test changes only what it must, in the open:
// `<id>`/`<http>` become what earlier steps printed; PORT, DATA_DIR and
// WEBRUN_API point at its own server and folder, TMPDIR at its own temp
// folder; CHROME_PATH is a wrapper
// that runs Chromium headless against the local HTTPS test sites (a person
// has a window and real sites). "Log in to a site" is done over DevTools.

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

/** The walk the README describes, step by step: each pattern must match its block, in this order. */
const walk = {
  start: /^pnpm start$/,
  create: /^pnpm --silent webrun-env env create \S+$/,
  session: /^pnpm --silent webrun-env session --env <id>$/,
  upload: /^pnpm --silent webrun-env files upload \S+ --env <id>$/,
  again: /^pnpm --silent webrun-env session --env <id>$/,
  inspect: /^pnpm --silent webrun-env env inspect <id>$/,
};
type Step = keyof typeof walk;

/** Variables a person's shell would not have set, removed so the outer test run cannot leak them in. */
const foreign = /^(API_KEYS|HOST|PORT|STORAGE|DATA_DIR|CHROME_PATH|WEBRUN_.*|S3_.*|AWS_.*)$/;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface SessionReady {
  cdp: string;
  http: string;
  pid: number;
  pageTargetId: string;
  filesDir: string;
}

interface Receipt {
  saved: { version: number; baseVersion: number | null; merged: boolean } | null;
}

const firstJsonLine = ({ stdout }: { stdout: string }): SessionReady | undefined => {
  const newline = stdout.indexOf("\n");
  return newline === -1 ? undefined : (JSON.parse(stdout.slice(0, newline)) as SessionReady);
};

/** Ctrl-C to a session: it captures, saves and prints its receipt as its last line. */
async function stopSession(session: RunningCommand): Promise<Receipt> {
  // Capturing and saving take a few seconds on a loaded machine: wait for the group, as a person would.
  // (The exit code is the shell's, 130 after a Ctrl-C; what the session did is in its receipt.)
  await session.interrupt(60_000);
  const lines = session.stdout().trim().split("\n");
  expect(lines.length, session.stderr()).toBeGreaterThan(1);
  return JSON.parse(lines.at(-1) as string) as Receipt;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("the README's quick start, as written", { timeout: 180_000 }, () => {
  let sites: TestSites;
  let work: string;
  let dataDir: string;
  let apiUrl: string;
  let groups: ProcessGroups;
  let commands: Record<Step, string>;
  let server: RunningCommand;

  beforeAll(async () => {
    const extracted = quickstartCommands(await readFile(path.join(repoRoot, "README.md"), "utf8"));
    const steps = Object.keys(walk) as Step[];
    expect(extracted, "the README's quick start changed: update this walk with it").toHaveLength(
      steps.length,
    );
    commands = Object.fromEntries(
      steps.map((step, index) => {
        const command = extracted[index] as string;
        expect(command, `quick-start block ${index + 1} (${step})`).toMatch(walk[step]);
        return [step, command];
      }),
    ) as Record<Step, string>;

    sites = await startTestSites();
    work = await mkdtemp(path.join(tmpdir(), "webrun-quickstart-"));
    dataDir = path.join(work, "data");
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !foreign.test(name)));
    groups = new ProcessGroups({
      cwd: repoRoot,
      env: {
        ...inherited,
        PORT: String(port),
        DATA_DIR: dataDir,
        WEBRUN_API: apiUrl,
        CHROME_PATH: await headlessChromium(work, sites),
        // Whatever a killed process leaves in its temp folder goes with `work`.
        TMPDIR: await mkdtemp(path.join(work, "tmp-")),
      },
    });
  });

  afterAll(async () => {
    await groups?.killAll();
    await sites?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  let id: string;
  let first: SessionReady;
  let profileDir: string | undefined;
  const file = () => path.basename(commands.upload.split(" ").at(-3) as string);

  it("pnpm start with no variables: listens on loopback with a local key made once, 0600, named but never logged", async () => {
    server = groups.start(commands.start);
    await waitForOutput(
      server,
      ({ stdout }) => (stdout.includes(`listening at ${apiUrl}`) ? true : undefined),
      "the API listening",
    );
    const keyFile = path.join(dataDir, "local-api.key");
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const keyLines = server
      .stdout()
      .split("\n")
      .filter((line) => line.includes(keyFile));
    expect(keyLines).toHaveLength(1);
    expect(keyLines[0]).toContain("webrun-env on this machine reads it from there");
  });

  it("env create prints the id the next steps use", async () => {
    const created = await groups.run(commands.create);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    id = /^created environment ([0-9a-f]{24}) \(/.exec(created.stdout)?.[1] as string;
    expect(id, created.stdout).toBeDefined();
  });

  it("session --env opens a browser; logged in there, Ctrl-C saves it and removes the browser's profile", async () => {
    const session = groups.start(fillPlaceholders(commands.session, { id }));
    first = await waitForOutput(session, firstJsonLine, "the session's JSON line");
    profileDir = (await readFile(`/proc/${first.pid}/cmdline`, "latin1"))
      .split("\0")
      .find((arg) => arg.startsWith("--user-data-dir="))
      ?.slice("--user-data-dir=".length);
    expect(profileDir).toBeDefined();
    const driver = await BrowserDriver.connect(first.http, first.pageTargetId);
    try {
      expect(await driver.statusAt(`${sites.origins.bank}/account`)).toMatchObject({ loggedIn: false });
      for (const site of ["bank", "notes"] as const) {
        await driver.goto(`${sites.origins[site]}/login`);
        await driver.submitLogin(testUserOf(site), testPassword);
        await driver.status(`${sites.origins[site]}/account`, (status: SiteStatus) => status.loggedIn);
      }
    } finally {
      await driver.close();
    }
    const receipt = await stopSession(session);
    expect(receipt.saved).toMatchObject({ version: 1, baseVersion: null, merged: false });
    expect(isAlive(first.pid)).toBe(false);
    expect(existsSync(profileDir as string)).toBe(false);
  });

  it("files upload keeps a file with the environment", async () => {
    const uploaded = await groups.run(fillPlaceholders(commands.upload, { id }));
    expect(uploaded.stderr).toBe("");
    expect(uploaded.code).toBe(0);
    expect(uploaded.stdout).toContain(file());
  });

  it("session --env again: still logged in, with the file in filesDir; Ctrl-C saves a new version", async () => {
    const session = groups.start(fillPlaceholders(commands.again, { id }));
    const ready = await waitForOutput(session, firstJsonLine, "the session's JSON line");
    expect(ready.pid).not.toBe(first.pid);
    const driver = await BrowserDriver.connect(ready.http, ready.pageTargetId);
    try {
      expect(await driver.statusAt(`${sites.origins.bank}/account`)).toEqual({
        loggedIn: true,
        user: testUserOf("bank"),
      });
      expect(await driver.statusAt(`${sites.origins.notes}/account`)).toMatchObject({
        loggedIn: true,
        user: testUserOf("notes"),
      });
    } finally {
      await driver.close();
    }
    const copy = path.join(ready.filesDir, file());
    expect(await readFile(copy, "utf8")).toBe(await readFile(path.join(repoRoot, file()), "utf8"));
    const receipt = await stopSession(session);
    expect(receipt.saved).toMatchObject({ version: 2, baseVersion: 1, merged: false });
    expect(existsSync(ready.filesDir)).toBe(false);
  });

  it("env inspect shows the logins and the file", async () => {
    const inspected = await groups.run(fillPlaceholders(commands.inspect, { id }));
    expect(inspected.stderr).toBe("");
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/^cookies for {2}.*bank\.test/m);
    expect(inspected.stdout).toContain(sites.origins.notes);
    expect(inspected.stdout).toMatch(new RegExp(`^\\S+\\s+${file().replaceAll(".", "\\.")}\\s`, "m"));
  });

  it("Ctrl-C stops the API; no line it printed holds the key", async () => {
    const key = (await readFile(path.join(dataDir, "local-api.key"), "utf8")).trim();
    await server.interrupt();
    expect(server.stdout()).toContain("shutting down");
    expect(server.stdout() + server.stderr()).not.toContain(key);
  });
});
