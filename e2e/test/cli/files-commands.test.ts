import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServer, type CliRun, startApiServer, webrunEnv } from "./env-api-server.js";

// `webrun-env files …` as processes against a real API server process.

let api: ApiServer;
let dir: string;
let env: Record<string, string>;
let environmentId: string;
const run = (...args: string[]) => webrunEnv(args, env);

async function json(...args: string[]): Promise<Record<string, unknown>> {
  const result: CliRun = await run(...args, "--json");
  expect(result.stdout + result.stderr).not.toContain(api.key);
  if (result.code !== 0) throw new Error(`${args.join(" ")} exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

const sha256 = async (file: string) =>
  createHash("sha256")
    .update(await readFile(file))
    .digest("hex");

beforeAll(async () => {
  api = await startApiServer();
  env = { WEBRUN_API: api.url, WEBRUN_API_KEY: api.key };
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-files-"));
  await writeFile(join(dir, "notes.txt"), "remember the milk\n");
  // Large enough to cross several stream chunks and the progress-bar threshold.
  const big = Buffer.alloc(5 * 1024 * 1024 + 123);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  await writeFile(join(dir, "Grüße report.bin"), big);
  environmentId = ((await json("env", "create", "with-files")).environment as { _id: string })._id;
}, 120_000);

afterAll(async () => {
  await api?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("webrun-env files against a real API", { timeout: 60_000 }, () => {
  let fileIds: Record<string, string> = {};

  it("upload streams several files into an environment; list shows them", async () => {
    const human = await run(
      "files",
      "upload",
      join(dir, "notes.txt"),
      join(dir, "Grüße report.bin"),
      "--env",
      environmentId,
    );
    expect(human.code).toBe(0);
    const lines = human.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^FILE ID\s+NAME\s+SIZE$/);
    expect(lines[1]).toMatch(/^\S+\s+notes\.txt\s+18 B$/);
    expect(lines[2]).toMatch(/^\S+\s+Grüße report\.bin\s+5\.0 MiB$/);
    expect(lines).toHaveLength(3);

    const listed = (await json("files", "list", "--env", environmentId)).files as {
      fileId: string;
      originalName: string;
      size: number;
    }[];
    expect(listed.map(({ originalName, size }) => ({ originalName, size }))).toEqual([
      { originalName: "notes.txt", size: 18 },
      { originalName: "Grüße report.bin", size: 5 * 1024 * 1024 + 123 },
    ]);
    fileIds = Object.fromEntries(listed.map((file) => [file.originalName, file.fileId]));
  }, 60_000);

  it("get writes a file's exact bytes, owner-only", async () => {
    const out = join(dir, "downloaded.bin");
    const got = await json("files", "get", fileIds["Grüße report.bin"] as string, "--out", out);
    expect(got).toMatchObject({ out, bytes: 5 * 1024 * 1024 + 123 });
    expect(await sha256(out)).toBe(await sha256(join(dir, "Grüße report.bin")));
    expect((await stat(out)).mode & 0o777).toBe(0o600);
  }, 60_000);

  it("delete removes one file from the environment", async () => {
    const deleted = await run("files", "delete", "--env", environmentId, fileIds["notes.txt"] as string);
    expect(deleted).toMatchObject({ code: 0 });
    expect(deleted.stdout.trim()).toBe(`deleted file ${fileIds["notes.txt"]} from ${environmentId}`);
    const listed = (await json("files", "list", "--env", environmentId)).files as { originalName: string }[];
    expect(listed.map((file) => file.originalName)).toEqual(["Grüße report.bin"]);
    const again = await run("files", "delete", "--env", environmentId, fileIds["notes.txt"] as string);
    expect(again.code).toBe(1);
  });

  it("without --env a file is an orphan: uploaded, said to expire, still downloadable now", async () => {
    const human = await run("files", "upload", join(dir, "notes.txt"));
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(
      "not attached to an environment: deleted after 1 hour unless a session names it",
    );
    const uploaded = (await json("files", "upload", join(dir, "notes.txt"))).files as {
      fileId: string;
      environmentId: string | null;
    }[];
    expect(uploaded[0]?.environmentId ?? null).toBeNull();
    const out = join(dir, "orphan.txt");
    await json("files", "get", uploaded[0]?.fileId as string, "--out", out);
    expect(await readFile(out, "utf8")).toBe("remember the milk\n");
  });

  it("user errors exit 1: an unknown environment, a missing local file, an unknown file id", async () => {
    const unknownEnv = await run(
      "files",
      "upload",
      join(dir, "notes.txt"),
      "--env",
      "683a1f2e4b0c1d2e3f4a5b6c",
    );
    expect(unknownEnv).toMatchObject({
      code: 1,
      stderr: "webrun-env: Environment not found: `webrun-env env list` shows your environments\n",
    });
    const missing = await run("files", "upload", join(dir, "absent.txt"));
    expect(missing).toMatchObject({ code: 1 });
    expect(missing.stderr).toContain("absent.txt: no such file");
    const unknownFile = await run("files", "get", "nope", "--out", join(dir, "nope.bin"));
    expect(unknownFile.code).toBe(1);
    await expect(stat(join(dir, "nope.bin"))).rejects.toThrow();
    const list = await run("files", "list");
    expect(list.code).toBe(1);
    expect(list.stderr).toContain("--env");
  });
});
