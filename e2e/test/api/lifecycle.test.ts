import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fakeProfileArchive } from "@webrun/test-fixtures";
import { afterEach, describe, expect, it } from "vitest";
import { type ApiProcess, startApi } from "../support/api-process.js";
import { client } from "./support/clients.js";
import { slowMultipartUpload, waitFor } from "./support/slow-upload.js";

describe("the server process: start-up and shutdown", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function start(env: Record<string, string>): Promise<ApiProcess> {
    const server = await startApi(env);
    cleanups.push(() => server.stop());
    return server;
  }

  it("logs one line with the listening URL, plus one when it created the embedded master key (0600)", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-life-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { DATA_DIR: dataDir, API_KEYS: `key-${randomBytes(12).toString("hex")}:erin` };
    const first = await start(env);
    const lines = () =>
      first
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"));
    expect(lines().filter((line) => line.includes("listening at"))).toHaveLength(1);
    expect(lines().filter((line) => line.includes("created a new master key"))).toHaveLength(1);
    const keyFile = path.join(dataDir, "master.key");
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(first.output()).not.toContain((await readFile(keyFile, "utf8")).trim());
    expect(await first.stop()).toBe(0);

    // A second start on the same DATA_DIR reuses the key: only the listening line.
    const second = await start(env);
    expect(second.output()).not.toContain("created a new master key");
    expect(second.output()).toContain(`listening at ${second.url}`);
  });

  it("without API_KEYS on loopback: makes a 0600 local key once, names its file in one line, never the key itself", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-life-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const keyFile = path.join(dataDir, "local-api.key");
    const first = await start({ DATA_DIR: dataDir });
    const key = (await readFile(keyFile, "utf8")).trim();
    expect(key.length).toBeGreaterThanOrEqual(16);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    const keyLines = (server: ApiProcess) =>
      server
        .output()
        .split("\n")
        .filter((line) => line.includes(keyFile));
    expect(keyLines(first)).toHaveLength(1);
    expect(keyLines(first)[0]).toContain('created the key of user \\"local\\"');
    expect(keyLines(first)[0]).toContain("webrun-env on this machine reads it from there");
    expect((await client(first.url, key).get("/environments")).status).toBe(200);
    expect((await client(first.url).get("/environments")).status).toBe(401);
    expect((await client(first.url, `${key}x`).get("/environments")).status).toBe(401);
    expect(first.output()).not.toContain(key);
    expect(await first.stop()).toBe(0);

    // The next start keeps the key: a CLI set up once keeps working.
    const second = await start({ DATA_DIR: dataDir });
    expect((await readFile(keyFile, "utf8")).trim()).toBe(key);
    expect(keyLines(second)).toHaveLength(1);
    expect(keyLines(second)[0]).toContain('using the key of user \\"local\\"');
    expect((await client(second.url, key).get("/environments")).status).toBe(200);
    expect(second.output()).not.toContain(key);
  });

  it("with API_KEYS, no local key is made and its file, if any, is not accepted", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-life-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const local = await start({ DATA_DIR: dataDir });
    const key = (await readFile(path.join(dataDir, "local-api.key"), "utf8")).trim();
    await local.stop();
    const configured = await start({
      DATA_DIR: dataDir,
      API_KEYS: `key-${randomBytes(12).toString("hex")}:ivy`,
    });
    expect((await client(configured.url, key).get("/environments")).status).toBe(401);
    expect(configured.output()).not.toContain("local-api.key");
  });

  it.each([
    ["HOST=0.0.0.0", { HOST: "0.0.0.0" }, "API_KEYS is required when HOST=0.0.0.0 is not a loopback address"],
    ["HOST=::", { HOST: "::" }, "API_KEYS is required when HOST=:: is not a loopback address"],
  ])("without API_KEYS, %s exits 1 naming API_KEYS, before making any key", async (_, env, reason) => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-life-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const failed = await startApi({ DATA_DIR: dataDir, ...env }).catch((error: unknown) => String(error));
    expect(failed).toContain("API exited with 1 before listening");
    expect(failed).toContain(`webrun API failed to start: ${reason}`);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it("refuses to start on S3 without master keys, naming the variable and no secret", async () => {
    const secret = `secret-${randomBytes(12).toString("hex")}`;
    const failed = await startApi({
      STORAGE: "s3",
      S3_BUCKET: "b",
      S3_ENDPOINT: "http://127.0.0.1:9",
      AWS_ACCESS_KEY_ID: "id",
      AWS_SECRET_ACCESS_KEY: secret,
    }).catch((error: unknown) => String(error));
    expect(failed).toContain("WEBRUN_MASTER_KEYS is required when STORAGE=s3");
    expect(failed).not.toContain(secret);
  });

  it("enforces body limits: a profile over MAX_PROFILE_BYTES is 413 and leaves the data as it was; JSON over 1 MiB is 413", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-life-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const key = `key-${randomBytes(12).toString("hex")}`;
    const server = await start({ DATA_DIR: dataDir, API_KEYS: `${key}:gina`, MAX_PROFILE_BYTES: "2048" });
    const api = client(server.url, key);
    const id = (await api.post<{ environment: { _id: string } }>("/environments", { name: "limits" })).body
      .environment._id;
    const profile = await fakeProfileArchive();
    cleanups.push(() => rm(profile.dir, { recursive: true, force: true }));
    const bytes = await readFile(profile.archive);
    expect(bytes.length).toBeGreaterThan(2048);
    const form = new FormData();
    form.append("file", new Blob([bytes]), "profile.tar.gz");
    const tooLarge = await api.raw(`/environments/${id}/profile`, { method: "POST", body: form });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ success: false, code: "FILE_TOO_LARGE" });
    const after = await api.get<{ environment: { status: string; version: number | null } }>(
      `/environments/${id}`,
    );
    expect(after.body.environment).toMatchObject({ status: "empty", version: null });

    const huge = await api.post("/environments", { name: "x", description: "y".repeat(1024 * 1024) });
    expect(huge).toMatchObject({ status: 413, body: { success: false, code: "BODY_TOO_LARGE" } });
  });

  it("runs the orphan sweeper: an unattached file is gone after its TTL, an attached one stays", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-life-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const key = `key-${randomBytes(12).toString("hex")}`;
    const server = await start({
      DATA_DIR: dataDir,
      API_KEYS: `${key}:hana`,
      ORPHAN_FILE_TTL_SECONDS: "1",
      ORPHAN_SWEEP_INTERVAL_SECONDS: "1",
      GC_INTERVAL_SECONDS: "1",
    });
    const api = client(server.url, key);
    const id = (await api.post<{ environment: { _id: string } }>("/environments", { name: "sweep" })).body
      .environment._id;
    const upload = async (environmentId?: string) => {
      const form = new FormData();
      form.append("files", new Blob(["bytes"]), "a.txt");
      if (environmentId) form.append("environmentId", environmentId);
      const answer = await api.raw("/files/upload", { method: "POST", body: form });
      expect(answer.status).toBe(200);
      return ((await answer.json()) as { files: { fileId: string }[] }).files[0]?.fileId as string;
    };
    const orphan = await upload();
    const attached = await upload(id);
    expect((await api.raw(`/files/${orphan}`)).status).toBe(200);
    await waitFor(async () => (await api.raw(`/files/${orphan}`)).status === 404, 30_000);
    expect((await api.raw(`/files/${attached}`)).status).toBe(200);
    // The sweep logs once its whole run is over, which may be a moment after the orphan is gone.
    await waitFor(async () => server.output().includes('"msg":"orphan sweep"'), 10_000);
  });

  it("on SIGTERM stops accepting, lets an in-flight upload finish, and exits 0", async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-life-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const key = `key-${randomBytes(12).toString("hex")}`;
    const server = await start({ DATA_DIR: dataDir, API_KEYS: `${key}:frank` });
    const api = client(server.url, key);
    const created = await api.post<{ environment: { _id: string } }>("/environments", { name: "shutdown" });
    const id = created.body.environment._id;
    const profile = await fakeProfileArchive();
    cleanups.push(() => rm(profile.dir, { recursive: true, force: true }));

    const upload = await slowMultipartUpload(
      server.url,
      `/environments/${id}/profile`,
      key,
      await readFile(profile.archive),
    );
    await waitFor(async () => {
      const current = await api.get<{ environment: { status: string } }>(`/environments/${id}`);
      return current.body.environment.status === "uploading";
    });
    const stopped = server.stop();
    // New connections are refused once it stops listening.
    await waitFor(async () => {
      try {
        await fetch(`${server.url}/healthz`);
        return false;
      } catch {
        return true;
      }
    });
    const answer = await upload.finish();
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      success: true,
      environment: { status: "ready" },
      version: 1,
    });
    expect(await stopped).toBe(0);
    expect(server.output()).toContain("shutting down");
  });
});
