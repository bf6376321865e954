import { execFile } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { packEnvironmentArchive, unpackEnvironmentArchiveToDirectory } from "@webrun/env-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, type CliRun, closedPort, startApiServer, webrunEnv } from "./env-api-server.js";

// `webrun-env env …` as processes against a real API server process.

const execFileAsync = promisify(execFile);
const cookieSecret = "COOKIE-VALUE-S3CRET-77";
const environmentNotFound = "Environment not found: `webrun-env env list` shows your environments";
const state = (token: string) => ({
  version: 1 as const,
  cookies: [
    {
      name: "sid",
      value: cookieSecret,
      domain: "app.example.test",
      path: "/",
      expires: -1,
      httpOnly: true,
      secure: true,
      session: true,
    },
  ],
  origins: [{ origin: "https://app.example.test", localStorage: [{ name: "token", value: token }] }],
});

let api: ApiServer;
let dir: string;
let env: Record<string, string>;
const run = (...args: string[]) => webrunEnv(args, env);

/** Every run: the key is never printed, whatever happened. */
function checked(result: CliRun): CliRun {
  expect(result.stdout + result.stderr).not.toContain(api.key);
  return result;
}

async function json(...args: string[]): Promise<Record<string, unknown>> {
  const result = checked(await run(...args, "--json"));
  if (result.code !== 0) throw new Error(`${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  api = await startApiServer({ alice: "wk_alice_S3CRET_key_0001", bob: "wk_bob_S3CRET_key_0002" });
  env = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key };
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-env-"));
  await writeFile(join(dir, "v1.json"), JSON.stringify(state("token-v1")));
  await pipeline(
    packEnvironmentArchive({ state: state("token-v2") }),
    createWriteStream(join(dir, "v2.tar.gz")),
  );
}, 120_000);

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("webrun-env env against a real API", { timeout: 60_000 }, () => {
  let id: string;

  it("create, list (table and --json), update and inspect", async () => {
    const created = checked(await run("env", "create", "work", "--description", "my work browser"));
    expect(created.code).toBe(0);
    id = /^created environment ([0-9a-f]{24}) \(work\)$/.exec(created.stdout.trim())?.[1] as string;
    expect(id).toBeDefined();
    const other = await json("env", "create", "later");
    expect(other).toMatchObject({
      success: true,
      message: "Environment created",
      environment: { name: "later" },
    });

    const table = checked(await run("env", "list"));
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+STATUS\s+VERSION\s+SIZE\s+UPDATED\s+LOGINS$/);
    // Newest first.
    expect(lines[1]).toMatch(
      new RegExp(`^${(other.environment as { _id: string })._id}\\s+later\\s+empty\\s+-`),
    );
    expect(lines[2]).toMatch(new RegExp(`^${id}\\s+work\\s+empty\\s+-`));
    const listed = (await json("env", "list")).environments as { _id: string }[];
    expect(listed.map((e) => e._id)).toEqual([(other.environment as { _id: string })._id, id]);

    expect(await json("env", "update", id, "--name", "work-2")).toMatchObject({
      environment: { name: "work-2" },
    });
    const inspected = checked(await run("env", "inspect", id));
    expect(inspected.stdout).toContain(`id           ${id}`);
    expect(inspected.stdout).toContain("name         work-2");
    expect(inspected.stdout).toContain("description  my work browser");
    expect(inspected.stdout).toContain("holds        no browser data yet");
    await json("env", "delete", (other.environment as { _id: string })._id);

    // A name holding terminal escapes is shown, not obeyed.
    const evil = await json("env", "create", "evil\u001b[2Jname");
    const shown = checked(await run("env", "list")).stdout;
    expect(shown).toContain("evil?[2Jname");
    expect(shown).not.toContain("\u001b");
    await json("env", "delete", (evil.environment as { _id: string })._id);
  }, 60_000);

  it("push a .json and a .tar.gz as versions 1 and 2; --base refuses a stale version with exit 1", async () => {
    const first = checked(await run("env", "push", id, join(dir, "v1.json")));
    expect(first.code).toBe(0);
    expect(first.stdout.trim()).toMatch(
      new RegExp(`^saved version 1 of ${id}: 1 cookie, 1 origin, 0 extensions, `),
    );
    const second = await json("env", "push", id, join(dir, "v2.tar.gz"), "--base", "1");
    expect(second).toMatchObject({
      success: true,
      version: 2,
      summary: { cookies: 1, cookieDomains: ["app.example.test"] },
    });

    const stale = checked(await run("env", "push", id, join(dir, "v1.json"), "--base", "1"));
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("its head is version 2, not 1");
    const versions = (await json("env", "versions", id)).versions as { version: number }[];
    expect(versions.map((v) => v.version)).toEqual([2, 1]);

    const inspected = checked(await run("env", "inspect", id));
    expect(inspected.stdout).toContain("status       ready");
    expect(inspected.stdout).toContain("cookies for  app.example.test");
    expect(inspected.stdout).toContain("origins      https://app.example.test");
  }, 60_000);

  it("pull writes the head (or a kept version) atomically, owner-only, as .json or .tar.gz", async () => {
    const out = join(dir, "pulled.json");
    const pulled = await json("env", "pull", id, "--out", out);
    expect(pulled).toMatchObject({ environmentId: id, out, version: 2 });
    const document = JSON.parse(await readFile(out, "utf8"));
    expect(document.cookies[0].value).toBe(cookieSecret);
    expect(document.origins[0].localStorage).toEqual([{ name: "token", value: "token-v2" }]);
    expect((await stat(out)).mode & 0o777).toBe(0o600);
    expect(pulled.bytes).toBe((await stat(out)).size);

    const old = join(dir, "v1-pulled.tar.gz");
    const human = checked(await run("env", "pull", id, "--out", old, "--version", "1"));
    expect(human.stdout.trim()).toMatch(new RegExp(`^wrote ${old}: version 1 of ${id}, `));
    const unpacked = await unpackEnvironmentArchiveToDirectory(createReadStream(old), join(dir, "unpacked"));
    expect(unpacked.state.origins[0]?.localStorage).toEqual([{ name: "token", value: "token-v1" }]);
    // Nothing half-written is left beside the outputs.
    expect((await readdir(dir)).filter((name) => name.endsWith(".partial"))).toEqual([]);
  }, 60_000);

  it("a failed pull leaves no file behind", async () => {
    const out = join(dir, "never.json");
    const result = checked(await run("env", "pull", id, "--out", out, "--version", "9"));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^webrun-env: Version 9 is not kept; kept versions are 1–2/);
    expect(
      (await readdir(dir)).filter((name) => name.startsWith("never") || name.startsWith(".never")),
    ).toEqual([]);
  });

  it("versions and rollback: an old version becomes the head again as a new version", async () => {
    const rolled = checked(await run("env", "rollback", id, "1"));
    expect(rolled.code).toBe(0);
    expect(rolled.stdout.trim()).toBe(`${id} is back at version 1's data, saved as version 3`);
    const table = checked(await run("env", "versions", id))
      .stdout.trim()
      .split("\n");
    expect(table[0]).toMatch(/^VERSION\s+SAVED\s+SIZE$/);
    expect(table[1]).toMatch(/^3\s+\S+ \S+\s+.+\s+head, restored from 1$/);
    expect(table).toHaveLength(4);
    const out = join(dir, "head.json");
    await json("env", "pull", id, "--out", out);
    expect(JSON.parse(await readFile(out, "utf8")).origins[0].localStorage[0].value).toBe("token-v1");
  }, 60_000);

  it("import-profile uploads a raw Chrome profile archive; download-link serves it without the key", async () => {
    const profile = join(dir, "profile");
    await mkdir(join(profile, "Default"), { recursive: true });
    await writeFile(join(profile, "Default", "Preferences"), JSON.stringify({ marker: "profile-marker-1" }));
    await writeFile(join(profile, "Local State"), JSON.stringify({ browser: {} }));
    const archive = join(dir, "profile.tar.gz");
    await execFileAsync("tar", ["czf", archive, "-C", profile, "."]);
    const imported = checked(await run("env", "import-profile", id, archive));
    expect(imported.code).toBe(0);
    expect(imported.stdout.trim()).toMatch(new RegExp(`^saved version 4 of ${id}: `));

    const link = await json("env", "download-link", id);
    expect(link.downloadUrl).toMatch(new RegExp(`^${api.url}/`));
    const response = await fetch(link.downloadUrl as string);
    expect(response.status).toBe(200);
    const downloaded = join(dir, "linked.tar.gz");
    await writeFile(downloaded, Buffer.from(await response.arrayBuffer()));
    await unpackEnvironmentArchiveToDirectory(createReadStream(downloaded), join(dir, "linked"));
    expect(await readFile(join(dir, "linked", "profile", "Default", "Preferences"), "utf8")).toContain(
      "profile-marker-1",
    );

    const notGzip = checked(await run("env", "import-profile", id, join(dir, "v1.json")));
    expect(notGzip).toMatchObject({ code: 1, stderr: "webrun-env: Only .tar.gz files are allowed\n" });
  }, 60_000);

  it("user errors exit 1 with the API's message: unknown id, another user's id, bad input, limits", async () => {
    const unknown = checked(await run("env", "inspect", "683a1f2e4b0c1d2e3f4a5b6c"));
    expect(unknown).toMatchObject({ code: 1, stdout: "", stderr: `webrun-env: ${environmentNotFound}\n` });
    const bob = checked(
      await webrunEnv(["env", "delete", id], {
        WEBRUN_API: api.url,
        WEBRUN_API_KEY: "wk_bob_S3CRET_key_0002",
      }),
    );
    expect(bob).toMatchObject({ code: 1, stderr: `webrun-env: ${environmentNotFound}\n` });

    const empty = checked(await run("env", "create", ""));
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("Environment name is required");

    const broken = join(dir, "broken.json");
    await writeFile(broken, JSON.stringify({ version: 1, cookies: [{ name: "x" }], origins: [] }));
    const invalid = checked(await run("env", "push", id, broken));
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/cookies\.0\.\w+: /);

    const notState = checked(await run("env", "push", id, join(dir, "v1.txt")));
    expect(notState).toMatchObject({ code: 1 });
    expect(notState.stderr).toContain("must end in .json");
    expect(checked(await run("env", "rollback", id, "zero")).code).toBe(1);

    // The fillers go straight to the API (a CLI process each is slow on a loaded machine); the 21st through the CLI.
    for (let i = 0; i < 19; i++) {
      const response = await fetch(`${api.url}/environments`, {
        method: "POST",
        headers: { authorization: `Bearer ${api.key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: `filler-${i}` }),
      });
      expect(response.status).toBe(201);
    }
    const limit = checked(await run("env", "create", "one-too-many"));
    expect(limit).toMatchObject({ code: 1, stderr: "webrun-env: Maximum of 20 environments allowed\n" });
  }, 120_000);

  it("delete removes the environment; it is gone afterwards", async () => {
    const deleted = checked(await run("env", "delete", id));
    expect(deleted.stdout.trim()).toBe(`deleted environment ${id} with its browser data and files`);
    expect(checked(await run("env", "versions", id)).code).toBe(1);
  });

  it("a missing or wrong key exits 1, an unreachable API exits 2 naming the URL; the key is never printed", async () => {
    const dataDir = join(dir, "no-local-key");
    const noKey = await webrunEnv(["env", "list"], { WEBRUN_API: api.url, DATA_DIR: dataDir });
    expect(noKey).toMatchObject({
      code: 1,
      stderr: `webrun-env: no API key: set WEBRUN_API_KEY (or pass --key), or start the API here with \`pnpm start\` and no API_KEYS, which creates ${join(dataDir, "local-api.key")}\n`,
    });
    const wrong = await webrunEnv(["env", "list", "--api", api.url, "--key", "wk_wrong_S3CRET"]);
    expect(wrong).toMatchObject({
      code: 1,
      stderr: `webrun-env: Invalid API key: the API at ${api.url} does not accept the key from --key; set WEBRUN_API_KEY to one of the keys in its API_KEYS\n`,
    });
    expect(wrong.stderr).not.toContain("wk_wrong_S3CRET");

    const port = await closedPort();
    const down = await webrunEnv(["env", "list", "--api", `http://127.0.0.1:${port}`], env);
    expect(down.code).toBe(2);
    expect(down.stderr).toBe(
      `webrun-env: cannot reach the webrun API at http://127.0.0.1:${port}: connection refused; start it with \`PORT=${port} pnpm start\`\n`,
    );
    expect(down.stderr).not.toContain(api.key);
    // Nor does the server log it.
    expect(api.output()).not.toContain(api.key);
    expect(api.output()).not.toContain(cookieSecret);
  });
});
