import { createWriteStream } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { connectCdp, type LaunchedBrowser, launchChromium } from "@webrun/browser-state";
import { packEnvironmentArchive } from "@webrun/env-store";
import type { BrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate, startPlainSite, visit } from "./browser-cli-helpers.js";
import { type ApiServer, type CliRun, startApiServer, webrunEnv } from "./env-api-server.js";

// `--merge-base`: a push that says which version its session started from is merged
// into whatever was saved since, by `webrun-env` processes against a real API process.

const secret = (name: string) => `${name}-COOKIE-S3CRET`;
const login = (name: string) => ({
  name,
  value: secret(name),
  domain: `${name}.example.test`,
  path: "/",
  expires: -1,
  httpOnly: true,
  secure: true,
  session: true,
});
const stateWith = (...names: string[]): BrowserState => ({
  version: 1,
  cookies: names.map(login),
  origins: [],
  extensions: [],
});

let site: Awaited<ReturnType<typeof startPlainSite>>;
let browser: LaunchedBrowser;
let api: ApiServer;
let dir: string;
let env: Record<string, string>;

/** Every run: neither the key nor a cookie value is ever printed. */
async function run(...args: string[]): Promise<CliRun> {
  const result = await webrunEnv(args, env);
  const printed = result.stdout + result.stderr;
  expect(printed).not.toContain(api.key);
  expect(printed).not.toContain("COOKIE-S3CRET");
  expect(printed).not.toContain("plain-1");
  return result;
}

async function json(...args: string[]): Promise<Record<string, unknown>> {
  const result = await run(...args);
  if (result.code !== 0) throw new Error(`${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function createEnvironment(name: string): Promise<string> {
  return ((await json("env", "create", name, "--json")).environment as { _id: string })._id;
}

async function headState(id: string): Promise<BrowserState> {
  const response = await fetch(`${api.url}/environments/${id}/state`, {
    headers: { authorization: `Bearer ${api.key}` },
  });
  return (await response.json()) as BrowserState;
}

async function headCookies(id: string): Promise<string[]> {
  return (await headState(id)).cookies.map((cookie) => cookie.name).sort();
}

beforeAll(async () => {
  site = await startPlainSite();
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-merge-"));
  browser = await launchChromium({ userDataDir: join(dir, "profile") });
  const connection = await connectCdp(browser.cdpUrl);
  await visit(connection, `${site.origin}/login`);
  await connection.close();
  api = await startApiServer();
  env = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key };
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("webrun-env --merge-base", () => {
  it("env push merges a .json and a .tar.gz from one base, printing the receipt", async () => {
    const id = await createEnvironment("merged pushes");
    await writeFile(join(dir, "v1.json"), JSON.stringify(stateWith("base")));
    await writeFile(join(dir, "a.json"), JSON.stringify(stateWith("base", "a")));
    await pipeline(
      packEnvironmentArchive({ state: stateWith("base", "b") }),
      createWriteStream(join(dir, "b.tar.gz")),
    );
    expect((await json("env", "push", id, join(dir, "v1.json"), "--json")).version).toBe(1);

    const first = await json("env", "push", id, join(dir, "a.json"), "--merge-base", "1", "--json");
    expect(first.saved).toMatchObject({ version: 2, baseVersion: 1, merged: false, mergedWith: [] });
    const second = await run("env", "push", id, join(dir, "b.tar.gz"), "--merge-base", "1");
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toMatch(
      new RegExp(
        `^saved version 3 of ${id} \\(merged with 2, 0 conflicts; changed 1 cookies, 0 origins, 0 extensions\\): 3 cookies`,
      ),
    );
    expect(await headCookies(id)).toEqual(["a", "b", "base"]);
  }, 60_000);

  it("refuses a base not kept, --merge-base with --base, and a base that is no version, with exit 1", async () => {
    const id = await createEnvironment("merge refusals");
    const file = join(dir, "refused.json");
    await writeFile(file, JSON.stringify(stateWith("x")));
    await json("env", "push", id, file, "--json");

    const notKept = await run("env", "push", id, file, "--merge-base", "99");
    expect(notKept.code).toBe(1);
    expect(notKept.stderr).toContain("the oldest kept version is 1");
    const both = await run("env", "push", id, file, "--merge-base", "1", "--base", "1");
    expect(both.code).toBe(1);
    expect(both.stderr).toMatch(/--merge-base.*--base|--base.*--merge-base/);
    const word = await run("env", "push", id, file, "--merge-base", "latest");
    expect(word.code).toBe(1);
    expect(word.stderr).toContain("must be a version number");
    const noPush = await run(
      "capture",
      "--cdp",
      browser.httpUrl,
      "--out",
      join(dir, "c.json"),
      "--merge-base",
      "1",
    );
    expect(noPush.code).toBe(1);
    expect(noPush.stderr).toContain("give --push");
    expect((await json("env", "versions", id, "--json")).versions).toHaveLength(1);
  }, 60_000);

  it("capture --push --merge-base: a session's capture merged with what another saved since it started", async () => {
    const id = await createEnvironment("captured sessions");
    const started = await json("capture", "--cdp", browser.httpUrl, "--push", id, "--merge-base", "none");
    expect(started.pushed).toMatchObject({
      environmentId: id,
      version: 1,
      baseVersion: null,
      merged: false,
      changes: { cookies: { added: 1 }, origins: { added: 0 } },
    });

    // Someone else saves from version 1 while this browser session goes on.
    const v1 = await headState(id);
    await writeFile(
      join(dir, "other.json"),
      JSON.stringify({ ...v1, cookies: [...v1.cookies, login("other")] }),
    );
    await json("env", "push", id, join(dir, "other.json"), "--merge-base", "1", "--json");
    const connection = await connectCdp(browser.cdpUrl);
    const session = await visit(connection, `${site.origin}/`);
    await evaluate(connection, session, `localStorage.setItem("draft", "kept")`);
    await connection.close();

    const closed = await json("capture", "--cdp", browser.httpUrl, "--push", id, "--merge-base", "1");
    expect(closed.pushed).toMatchObject({
      environmentId: id,
      version: 3,
      baseVersion: 1,
      merged: true,
      mergedWith: [2],
      changes: { origins: { added: 1 } },
    });
    expect(await headCookies(id)).toEqual(["other", "sid"]);
    expect((await headState(id)).origins.map((origin) => origin.origin)).toEqual([site.origin]);
  }, 90_000);
});
