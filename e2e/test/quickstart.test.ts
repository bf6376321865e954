import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findChromium } from "@webrun/browser-state";
import {
  BrowserDriver,
  type SiteStatus,
  startTestSites,
  type TestSites,
  testPassword,
  testUserOf,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
  launch: /^pnpm --silent webrun-env launch --env <id>$/,
  capture: /^pnpm --silent webrun-env capture --cdp <http> --push <id>$/,
  relaunch: /^pnpm --silent webrun-env launch --env <id>$/,
  upload: /^pnpm --silent webrun-env files upload \S+ --env <id>$/,
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

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** A CHROME_PATH that starts the real Chromium headless, with the test sites' host mapping and certificate trust. */
async function headlessChromium(dir: string, sites: TestSites): Promise<string> {
  const wrapper = path.join(dir, "chromium-headless");
  const args = ["--headless", ...sites.chromiumArgs].map(shellQuote).join(" ");
  await writeFile(wrapper, `#!/bin/sh\nexec ${shellQuote(findChromium())} ${args} "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}

interface LaunchReady {
  cdp: string;
  http: string;
  pid: number;
  pageTargetId?: string;
}

const firstJsonLine = ({ stdout }: { stdout: string }): LaunchReady | undefined => {
  const newline = stdout.indexOf("\n");
  return newline === -1 ? undefined : (JSON.parse(stdout.slice(0, newline)) as LaunchReady);
};

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
  let launched: LaunchReady;

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

  it("launch --env opens a browser; logging in to a site there, capture --push saves it while it is open", async () => {
    const launch = groups.start(fillPlaceholders(commands.launch, { id }));
    launched = await waitForOutput(launch, firstJsonLine, "the browser's JSON line");
    const bank = `${sites.origins.bank}/account`;
    const notes = `${sites.origins.notes}/account`;
    const driver = await BrowserDriver.connect(launched.http, launched.pageTargetId);
    try {
      expect(await driver.statusAt(bank)).toMatchObject({ loggedIn: false });
      for (const site of ["bank", "notes"] as const) {
        await driver.goto(`${sites.origins[site]}/login`);
        await driver.submitLogin(testUserOf(site), testPassword);
        await driver.status(`${sites.origins[site]}/account`, (status: SiteStatus) => status.loggedIn);
      }
      expect(await driver.statusAt(notes)).toMatchObject({ loggedIn: true });
    } finally {
      await driver.close();
    }

    const captured = await groups.run(fillPlaceholders(commands.capture, { http: launched.http, id }));
    expect(captured.stderr).toBe("");
    expect(captured.code).toBe(0);
    expect(JSON.parse(captured.stdout)).toMatchObject({ pushed: { environmentId: id, version: 1 } });

    // Ctrl-C in the launch terminal: the browser and the CLI end, the temporary profile is gone.
    const profileDir = (await readFile(`/proc/${launched.pid}/cmdline`, "latin1"))
      .split("\0")
      .find((arg) => arg.startsWith("--user-data-dir="))
      ?.slice("--user-data-dir=".length);
    expect(profileDir).toBeDefined();
    await launch.interrupt();
    expect(isAlive(launched.pid)).toBe(false);
    expect(existsSync(profileDir as string)).toBe(false);
  });

  it("launch --env again: still logged in", async () => {
    const relaunch = groups.start(fillPlaceholders(commands.relaunch, { id }));
    const ready = await waitForOutput(relaunch, firstJsonLine, "the browser's JSON line");
    expect(ready.pid).not.toBe(launched.pid);
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
    await relaunch.interrupt();
  });

  it("files upload keeps a file with the environment; env inspect shows the login and the file", async () => {
    const uploaded = await groups.run(fillPlaceholders(commands.upload, { id }));
    expect(uploaded.stderr).toBe("");
    expect(uploaded.code).toBe(0);
    const file = path.basename(commands.upload.split(" ").at(-3) as string);
    expect(uploaded.stdout).toContain(file);

    const inspected = await groups.run(fillPlaceholders(commands.inspect, { id }));
    expect(inspected.stderr).toBe("");
    expect(inspected.code).toBe(0);
    expect(inspected.stdout).toMatch(/^cookies for {2}.*bank\.test/m);
    expect(inspected.stdout).toContain(sites.origins.notes);
    expect(inspected.stdout).toMatch(new RegExp(`^\\S+\\s+${file.replaceAll(".", "\\.")}\\s`, "m"));
  });

  it("Ctrl-C stops the API; no line it printed holds the key", async () => {
    const key = (await readFile(path.join(dataDir, "local-api.key"), "utf8")).trim();
    await server.interrupt();
    expect(server.stdout()).toContain("shutting down");
    expect(server.stdout() + server.stderr()).not.toContain(key);
  });
});
