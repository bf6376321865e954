import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fakeProfileArchive, signDownloadToken, stateWithCookie } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, startApi } from "../support/api-process.js";
import { client, curlDownload, curlForm, tarList } from "./support/clients.js";
import { slowMultipartUpload, waitFor } from "./support/slow-upload.js";
import { createTestStorage, type StorageMode, storageModes, type TestStorage } from "./support/storage.js";

const keyOf = (user: string) => `key-${user}-${randomBytes(12).toString("hex")}`;
const hex24 = /^[0-9a-f]{24}$/;

describe.each(storageModes)("the API against a real server process on %s", (mode: StorageMode) => {
  const keys = { alice: keyOf("alice"), bob: keyOf("bob"), carol: keyOf("carol") };
  const cookieSecret = `cookie-secret-${randomBytes(16).toString("hex")}`;
  let storage: TestStorage;
  let server: ApiProcess;
  let work: string;
  let alice: ReturnType<typeof client>;
  let bob: ReturnType<typeof client>;
  let anonymous: ReturnType<typeof client>;

  beforeAll(async () => {
    storage = await createTestStorage(mode);
    work = await mkdtemp(path.join(tmpdir(), "webrun-api-e2e-"));
    server = await startApi({
      ...storage.env,
      API_KEYS: `${keys.alice}:alice,${keys.bob}:bob,${keys.carol}:carol`,
    });
    alice = client(server.url, keys.alice);
    bob = client(server.url, keys.bob);
    anonymous = client(server.url);
  });

  afterAll(async () => {
    const code = await server?.stop();
    const output = server?.output() ?? "";
    // Secrets never reach the logs: API keys, a cookie value pushed in a state, the S3 secret, the master key.
    for (const secret of [...Object.values(keys), cookieSecret, ...(storage?.secrets ?? [])]) {
      expect(output).not.toContain(secret);
    }
    expect(output).toContain("request completed");
    expect(code).toBe(0);
    await storage?.cleanup();
    await rm(work, { recursive: true, force: true });
  });

  async function createEnvironment(api = alice, name = "env") {
    const created = await api.post<{ environment: { _id: string } }>("/environments", { name });
    expect(created.status).toBe(201);
    return created.body.environment._id;
  }

  it("answers health, readiness and the OpenAPI document without a key; everything else needs one", async () => {
    expect(await anonymous.get("/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await anonymous.get("/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
    const document = await anonymous.get<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
      "/openapi.json",
    );
    expect(document.status).toBe(200);
    expect(document.body.openapi).toBe("3.1.0");
    const operations = Object.entries(document.body.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${p}`),
    );
    for (const operation of [
      "POST /environments",
      "GET /environments",
      "GET /environments/{id}",
      "PATCH /environments/{id}",
      "DELETE /environments/{id}",
      "POST /files/upload",
      "GET /files/{fileId}",
      "GET /environments/{id}/files",
      "DELETE /environments/{id}/files/{fileId}",
      "POST /environments/{id}/profile",
      "GET /environments/{id}/profile/download",
      "GET /downloads/{token}",
      "PUT /environments/{id}/state",
      "GET /environments/{id}/state",
      "GET /environments/{id}/versions",
      "POST /environments/{id}/versions/{version}/restore",
      "POST /profiles",
      "GET /profiles",
      "DELETE /profiles/{id}",
      "GET /healthz",
      "GET /readyz",
    ]) {
      expect(operations).toContain(operation);
    }
    const docs = await anonymous.raw("/docs/");
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("swagger-ui");
    const create = document.body.paths["/environments"]?.post as { responses: Record<string, unknown> };
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(["201", "400", "401"]));

    const missing = await anonymous.get("/environments");
    expect(missing).toMatchObject({ status: 401, body: { success: false, message: "Missing API key" } });
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await client(server.url, "not-a-key-of-anyone-at-all").get("/environments");
    expect(wrong).toMatchObject({ status: 401, body: { success: false, message: "Invalid API key" } });
  });

  it("generates request ids and never trusts the client's", async () => {
    const answer = await alice.get("/environments", { "x-request-id": "forged-id" });
    const id = answer.headers.get("x-request-id");
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe("forged-id");
    await waitFor(async () => server.output().includes(id as string));
  });

  it("creates, lists newest first, reads, renames and deletes environments with the contract's answers", async () => {
    const created = await alice.post<{ environment: Record<string, unknown> }>("/environments", {
      name: "  shopping  ",
      description: "a test",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ success: true, message: "Environment created" });
    const environment = created.body.environment;
    expect(environment).toMatchObject({
      userId: "alice",
      name: "shopping",
      description: "a test",
      status: "empty",
      blobSize: null,
      usageCount: 0,
    });
    expect(environment._id).toMatch(hex24);
    expect(new Date(environment.createdAt as string).toISOString()).toBe(environment.createdAt);

    for (const body of [{}, { name: "" }, { name: "   " }, { description: "no name" }, undefined]) {
      expect(await alice.post("/environments", body)).toMatchObject({
        status: 400,
        body: { success: false, message: "Environment name is required" },
      });
    }
    const bare = await alice.raw("/environments", { method: "POST" });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toMatchObject({ message: "Environment name is required" });
    expect((await alice.post("/environments", { name: "x".repeat(101) })).status).toBe(400);

    const second = await createEnvironment(alice, "second");
    const third = await createEnvironment(alice, "third");
    const list = await alice.get<{ environments: { _id: string }[] }>("/environments");
    expect(list.status).toBe(200);
    expect(list.body.environments.slice(0, 3).map((e) => e._id)).toEqual([third, second, environment._id]);

    const renamed = await alice.patch(`/environments/${second}`, { name: "renamed" });
    expect(renamed).toMatchObject({ status: 200, body: { environment: { name: "renamed" } } });
    const detail = await alice.get(`/environments/${second}`);
    expect(detail).toMatchObject({
      status: 200,
      body: { success: true, environment: { _id: second, name: "renamed" }, files: [], versions: [] },
    });

    expect(await alice.delete(`/environments/${third}`)).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await alice.delete(`/environments/${third}`)).toMatchObject({
      status: 404,
      body: { success: false, message: "Environment not found" },
    });
  });

  it("scopes every lookup to the caller: unknown, malformed and another user's ids are the same 404", async () => {
    const id = await createEnvironment(alice, "private");
    const notFound = { status: 404, body: { success: false, message: "Environment not found" } };
    for (const target of [id, "000000000000000000000000", "not-an-id", "ZZZ"]) {
      expect(await bob.get(`/environments/${target}`)).toMatchObject(notFound);
      expect(await bob.delete(`/environments/${target}`)).toMatchObject(notFound);
      expect(await bob.get(`/environments/${target}/files`)).toMatchObject(notFound);
      expect(await bob.patch(`/environments/${target}`, { name: "mine" })).toMatchObject(notFound);
      expect(await bob.get(`/environments/${target}/profile/download`)).toMatchObject(notFound);
      expect(await bob.get(`/environments/${target}/versions`)).toMatchObject(notFound);
    }
    expect((await bob.get<{ environments: unknown[] }>("/environments")).body.environments).toEqual([]);
    expect((await alice.get(`/environments/${id}`)).status).toBe(200);
  });

  it("allows at most 20 environments per user", async () => {
    const carol = client(server.url, keys.carol);
    for (let i = 0; i < 20; i++)
      expect((await carol.post("/environments", { name: `n${i}` })).status).toBe(201);
    expect(await carol.post("/environments", { name: "one too many" })).toMatchObject({
      status: 400,
      body: { success: false, message: "Maximum of 20 environments allowed" },
    });
    const all = await carol.get<{ environments: { _id: string }[] }>("/environments");
    expect(all.body.environments).toHaveLength(20);
    // Deleting one makes room again.
    expect((await carol.delete(`/environments/${all.body.environments[0]?._id}`)).status).toBe(200);
    expect((await carol.post("/environments", { name: "room again" })).status).toBe(201);
  });

  it("uploads files with curl -F, lists, downloads (with ranges), deletes them, and keeps them private", async () => {
    const id = await createEnvironment(alice, "with files");
    const first = path.join(work, "notes.txt");
    const second = path.join(work, "données é.bin");
    await writeFile(first, "hello files\n");
    await writeFile(second, randomBytes(70_000));
    const uploaded = await curlForm(`${server.url}/files/upload`, keys.alice, [
      `files=@${first}`,
      `files=@${second}`,
      `environmentId=${id}`,
    ]);
    expect(uploaded.status).toBe(200);
    const files = uploaded.body.files as { fileId: string; originalName: string; size: number }[];
    expect(uploaded.body.success).toBe(true);
    expect(files.map((f) => [f.originalName, f.size])).toEqual([
      ["notes.txt", 12],
      ["données é.bin", 70_000],
    ]);
    const listed = await alice.get<{ files: unknown[] }>(`/environments/${id}/files`);
    expect(listed).toMatchObject({ status: 200, body: { success: true } });
    expect(listed.body.files).toEqual(
      files.map(({ fileId, originalName, size }) => ({ fileId, originalName, size })),
    );

    const [notes, binary] = files as [(typeof files)[0], (typeof files)[0]];
    const downloaded = path.join(work, "download.bin");
    expect(
      await curlDownload(`${server.url}/files/${binary.fileId}`, downloaded, [
        `Authorization: Bearer ${keys.alice}`,
      ]),
    ).toBe(200);
    expect(await readFile(downloaded)).toEqual(await readFile(second));
    const range = await alice.raw(`/files/${binary.fileId}`, { headers: { range: "bytes=100-199" } });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer())).toEqual((await readFile(second)).subarray(100, 200));
    const outside = await alice.raw(`/files/${binary.fileId}`, { headers: { range: "bytes=90000-" } });
    expect(outside.status).toBe(416);
    expect(outside.headers.get("content-range")).toBe("bytes */70000");

    expect(await bob.get(`/files/${notes.fileId}`)).toMatchObject({
      status: 404,
      body: { message: "File not found" },
    });
    expect(await bob.delete(`/environments/${id}/files/${notes.fileId}`)).toMatchObject({
      status: 404,
      body: { message: "Environment not found" },
    });
    expect(await alice.delete(`/environments/${id}/files/${notes.fileId}`)).toMatchObject({
      status: 200,
      body: { success: true },
    });
    expect(await alice.delete(`/environments/${id}/files/${notes.fileId}`)).toMatchObject({
      status: 404,
      body: { message: "File not found" },
    });
    expect((await alice.get<{ files: unknown[] }>(`/environments/${id}/files`)).body.files).toHaveLength(1);

    expect(await curlForm(`${server.url}/files/upload`, keys.alice, [`environmentId=${id}`])).toMatchObject({
      status: 400,
      body: { success: false, message: "No file provided" },
    });
    expect(
      await curlForm(`${server.url}/files/upload`, keys.bob, [`files=@${first}`, `environmentId=${id}`]),
    ).toMatchObject({ status: 404, body: { message: "Environment not found" } });
    const orphan = await curlForm(`${server.url}/files/upload`, keys.alice, [`files=@${first}`]);
    expect(orphan.status).toBe(200);
    expect(await curlForm(`${server.url}/files/upload`, undefined, [`files=@${first}`])).toMatchObject({
      status: 401,
    });

    // Deleting the environment deletes its files.
    expect((await alice.delete(`/environments/${id}`)).status).toBe(200);
    expect((await alice.get(`/files/${binary.fileId}`)).status).toBe(404);
  });

  it("uploads browser data (a GNU tar czf profile), shows `uploading` while it streams, and serves it through a signed link", async () => {
    const id = await createEnvironment(alice, "browser data");
    expect(await alice.get(`/environments/${id}/profile/download`)).toMatchObject({
      status: 400,
      body: { success: false, message: "Environment has no browser data yet" },
    });
    const profile = await fakeProfileArchive();
    try {
      const uploaded = await curlForm(`${server.url}/environments/${id}/profile`, keys.alice, [
        `file=@${profile.archive}`,
      ]);
      expect(uploaded.status).toBe(200);
      expect(uploaded.body).toMatchObject({
        success: true,
        environment: { _id: id, status: "ready" },
        version: 1,
      });

      const link = await alice.get<{ downloadUrl: string; expiresAt: string }>(
        `/environments/${id}/profile/download`,
      );
      expect(link.status).toBe(200);
      expect(link.body).toMatchObject({ success: true });
      const expiresIn = Date.parse(link.body.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(59 * 60 * 1000);
      expect(expiresIn).toBeLessThanOrEqual(60 * 60 * 1000);
      expect(link.body.downloadUrl.startsWith(`${server.url}/downloads/`)).toBe(true);

      // No API key needed; the archive holds the profile's bytes (caches dropped).
      const archive = path.join(work, "browser-data.tar.gz");
      expect(await curlDownload(link.body.downloadUrl, archive)).toBe(200);
      const entries = await tarList(archive);
      expect(entries).toContain("profile/Default/Preferences");
      expect(entries.some((entry) => entry.includes("Cache"))).toBe(false);
      const extracted = await mkdtemp(path.join(work, "x-"));
      const { execFile } = await import("node:child_process");
      await new Promise((resolve, reject) =>
        execFile("tar", ["xzf", archive, "-C", extracted], (error) =>
          error ? reject(error) : resolve(null),
        ),
      );
      expect(await readFile(path.join(extracted, "profile/Default/Preferences"), "utf8")).toBe(
        profile.preferences,
      );

      // Tampered, forged with the raw master key, or expired: 403 JSON.
      const token = link.body.downloadUrl.split("/downloads/")[1] as string;
      // The link is a credential for an hour: never logged.
      expect(server.output()).toContain("/downloads/[redacted]");
      expect(server.output()).not.toContain(token.split(".")[1]);
      const [payload, signature] = token.split(".") as [string, string];
      const flipped = `${signature.slice(0, -2)}${signature.endsWith("A") ? "B" : "A"}${signature.slice(-1)}`;
      const otherPayload = Buffer.from(
        JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), u: "bob" }),
      ).toString("base64url");
      for (const bad of [`${payload}.${flipped}`, `${otherPayload}.${signature}`, "garbage", `${payload}.`]) {
        const answer = await anonymous.get(`/downloads/${bad}`);
        expect(answer).toMatchObject({
          status: 403,
          body: { success: false, message: "Invalid download link" },
        });
      }
      const grant = { userId: "alice", environmentId: id, version: 1 };
      const valid = signDownloadToken(storage.masterKey, storage.masterKeyId, {
        ...grant,
        expiresAtSeconds: Math.floor(Date.now() / 1000) + 60,
      });
      expect((await anonymous.raw(`/downloads/${valid}`)).status).toBe(200);
      const expired = signDownloadToken(storage.masterKey, storage.masterKeyId, {
        ...grant,
        expiresAtSeconds: Math.floor(Date.now() / 1000) - 1,
      });
      expect(await anonymous.get(`/downloads/${expired}`)).toMatchObject({
        status: 403,
        body: { success: false, message: "Download link expired" },
      });

      // Contract errors of the upload.
      const notGzip = path.join(work, "not-a-profile.zip");
      await writeFile(notGzip, Buffer.from("PK\u0003\u0004 this is not a gzip'd tar"));
      expect(
        await curlForm(`${server.url}/environments/${id}/profile`, keys.alice, [`file=@${notGzip}`]),
      ).toMatchObject({
        status: 400,
        body: { success: false, message: "Only .tar.gz files are allowed" },
      });
      expect(
        await curlForm(`${server.url}/environments/${id}/profile`, keys.alice, ["name=nothing"]),
      ).toMatchObject({
        status: 400,
        body: { success: false, message: "No file provided" },
      });
      expect(
        await curlForm(`${server.url}/environments/${id}/profile`, keys.alice, [`files=@${profile.archive}`]),
      ).toMatchObject({ status: 400, body: { message: "No file provided" } });
      for (const target of ["000000000000000000000000", "bad", id]) {
        const api = target === id ? keys.bob : keys.alice;
        expect(
          await curlForm(`${server.url}/environments/${target}/profile`, api, [`file=@${profile.archive}`]),
        ).toMatchObject({
          status: 404,
          body: { success: false, message: "Environment not found" },
        });
      }
      // The failed uploads left the data and the status as they were.
      const after = await alice.get<{ environment: { status: string; version: number } }>(
        `/environments/${id}`,
      );
      expect(after.body.environment).toMatchObject({ status: "ready", version: 1 });

      // While an upload streams, the status reads `uploading`; a broken one leaves the previous data.
      const bytes = await readFile(profile.archive);
      const slow = await slowMultipartUpload(server.url, `/environments/${id}/profile`, keys.alice, bytes);
      await waitFor(async () => {
        const current = await alice.get<{ environment: { status: string } }>(`/environments/${id}`);
        return current.body.environment.status === "uploading";
      });
      const outcome = await slow.finish();
      expect(outcome.status).toBe(200);
      expect(
        (await alice.get<{ environment: { status: string; version: number } }>(`/environments/${id}`)).body
          .environment,
      ).toMatchObject({ status: "ready", version: 2 });
      const truncated = await slowMultipartUpload(
        server.url,
        `/environments/${id}/profile`,
        keys.alice,
        bytes,
      );
      await waitFor(async () => {
        const current = await alice.get<{ environment: { status: string } }>(`/environments/${id}`);
        return current.body.environment.status === "uploading";
      });
      await truncated.abort();
      await waitFor(async () => {
        const current = await alice.get<{ environment: { status: string; version: number } }>(
          `/environments/${id}`,
        );
        return current.body.environment.status === "ready" && current.body.environment.version === 2;
      });
    } finally {
      await rm(profile.dir, { recursive: true, force: true });
    }
  });

  it("saves state documents and archives with If-Match, reads them back, lists and restores versions", async () => {
    const id = await createEnvironment(alice, "state");
    const state = stateWithCookie(cookieSecret);
    expect(await alice.get(`/environments/${id}/state`)).toMatchObject({
      status: 400,
      body: { message: "Environment has no browser data yet" },
    });
    const first = await alice.put(`/environments/${id}/state`, state, { "if-none-match": "*" });
    expect(first).toMatchObject({
      status: 200,
      body: { success: true, version: 1, environment: { status: "ready" } },
    });
    expect(first.headers.get("etag")).toBe('"1"');
    expect(first.body).toMatchObject({ summary: { cookies: 1, cookieDomains: ["example.test"] } });

    const read = await alice.get<{ cookies: { value: string }[] }>(`/environments/${id}/state`);
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe('"1"');
    expect(read.body.cookies[0]?.value).toBe(cookieSecret);

    const second = await alice.put(`/environments/${id}/state`, stateWithCookie("v2"), { "if-match": '"1"' });
    expect(second).toMatchObject({ status: 200, body: { version: 2 } });
    const stale = await alice.put(`/environments/${id}/state`, stateWithCookie("lost"), {
      "if-match": '"1"',
    });
    expect(stale).toMatchObject({
      status: 412,
      body: { success: false, code: "VERSION_CONFLICT", details: { currentVersion: 2 } },
    });
    expect((await alice.put(`/environments/${id}/state`, state, { "if-none-match": "*" })).status).toBe(412);
    expect((await alice.put(`/environments/${id}/state`, state, { "if-match": "soon" })).status).toBe(400);
    expect((await alice.put(`/environments/${id}/state`, { version: 1, cookies: "nope" })).status).toBe(400);
    expect(
      (
        await alice.raw(`/environments/${id}/state`, {
          method: "PUT",
          headers: { "content-type": "text/plain" },
          body: "x",
        })
      ).status,
    ).toBe(415);
    expect(await bob.put(`/environments/${id}/state`, state)).toMatchObject({
      status: 404,
      body: { message: "Environment not found" },
    });

    // The archive round trip: GET as gzip, PUT it back as a new version.
    const archive = await alice.raw(`/environments/${id}/state`, { headers: { accept: "application/gzip" } });
    expect(archive.status).toBe(200);
    expect(archive.headers.get("content-type")).toBe("application/gzip");
    const archiveBytes = Buffer.from(await archive.arrayBuffer());
    expect(archiveBytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    const imported = await alice.raw(`/environments/${id}/state`, {
      method: "PUT",
      headers: { "content-type": "application/gzip", "if-match": '"2"' },
      body: archiveBytes,
    });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ version: 3 });

    const versions = await alice.get<{ versions: { version: number; head: boolean }[] }>(
      `/environments/${id}/versions`,
    );
    expect(versions.body.versions.map((v) => [v.version, v.head])).toEqual([
      [3, true],
      [2, false],
      [1, false],
    ]);
    expect(
      await alice.post(`/environments/${id}/versions/1/restore`, undefined, { "if-match": '"2"' }),
    ).toMatchObject({
      status: 412,
      body: { details: { currentVersion: 3 } },
    });
    const restored = await alice.post(`/environments/${id}/versions/1/restore`);
    expect(restored).toMatchObject({ status: 200, body: { version: 4 } });
    const head = await alice.get<{ cookies: { value: string }[] }>(`/environments/${id}/state`);
    expect(head.body.cookies[0]?.value).toBe(cookieSecret);
    expect(await alice.post(`/environments/${id}/versions/99/restore`)).toMatchObject({ status: 404 });

    // What it holds, from the summaries stored at save time.
    const detail = await alice.get<{
      environment: { summary: { cookieDomains: string[]; origins: string[] } };
    }>(`/environments/${id}`);
    expect(detail.body.environment.summary.cookieDomains).toEqual(["example.test"]);
    expect(detail.body.environment.summary.origins).toEqual(["https://app.example.test"]);
  });

  it("refuses any body but multipart/form-data on the upload routes with 415, whatever its size (real curl)", async () => {
    const id = await createEnvironment(alice, "uploads by type");
    const big = path.join(work, "two-megabytes.bin");
    await writeFile(big, randomBytes(2 * 1024 * 1024));
    for (const route of ["/files/upload", `/environments/${id}/profile`]) {
      for (const type of ["application/json", "text/plain", "application/octet-stream", "application/gzip"]) {
        // A real multipart body, sent under another Content-Type.
        const answer = await curlForm(
          `${server.url}${route}`,
          keys.alice,
          [`files=@${big}`],
          [`Content-Type: ${type}`],
        );
        expect(answer, `${route} as ${type}`).toMatchObject({
          status: 415,
          body: {
            success: false,
            code: "UNSUPPORTED_MEDIA_TYPE",
            message: `This route takes multipart/form-data, not ${type}`,
          },
        });
      }
    }
  });

  it("passes state documents through both spellings byte for byte: users' data is never renamed", async () => {
    const id = await createEnvironment(alice, "state in both spellings");
    const data = {
      environmentId: "prod",
      environment: "staging",
      environments: ["a"],
      message: "Environment ready",
    };
    const state = {
      ...stateWithCookie("both-spellings"),
      origins: [
        {
          origin: "https://app.example.test",
          localStorage: [{ name: "message", value: "Environment not found" }],
          indexedDB: [
            {
              name: "settings",
              version: 1,
              objectStores: [
                {
                  name: "kv",
                  keyPath: null,
                  autoIncrement: false,
                  indexes: [],
                  records: [{ key: "environment", value: data }],
                },
              ],
            },
          ],
        },
      ],
    };
    expect((await alice.put(`/profiles/${id}/state`, state)).status).toBe(200);
    const asEnvironment = await alice.raw(`/environments/${id}/state`);
    const asProfile = await alice.raw(`/profiles/${id}/state`);
    expect(asProfile.status).toBe(200);
    const bytes = Buffer.from(await asEnvironment.arrayBuffer());
    expect(Buffer.from(await asProfile.arrayBuffer())).toEqual(bytes);
    const read = JSON.parse(bytes.toString("utf8"));
    expect(read.origins[0].indexedDB[0].objectStores[0].records[0].value).toEqual(data);
    expect(read.origins[0].localStorage[0]).toEqual({ name: "message", value: "Environment not found" });
  });

  it("answers the legacy /profiles routes with the profile names", async () => {
    const created = await alice.post<{ profile: { _id: string } }>("/profiles", { name: "legacy" });
    expect(created).toMatchObject({ status: 201, body: { success: true, message: "Profile created" } });
    const id = created.body.profile._id;
    expect(id).toMatch(hex24);
    const list = await alice.get<{ profiles: { _id: string }[] }>("/profiles");
    expect(list.body.profiles[0]?._id).toBe(id);
    expect(
      (await alice.get<{ environments: { _id: string }[] }>("/environments")).body.environments[0]?._id,
    ).toBe(id);
    expect(await alice.post("/profiles", {})).toMatchObject({
      status: 400,
      body: { message: "Profile name is required" },
    });
    expect(await bob.get(`/profiles/${id}`)).toMatchObject({
      status: 404,
      body: { message: "Profile not found" },
    });
    const file = path.join(work, "legacy.txt");
    await writeFile(file, "legacy");
    const uploaded = await curlForm(`${server.url}/files/upload`, keys.alice, [
      `files=@${file}`,
      `profileId=${id}`,
    ]);
    expect(uploaded.status).toBe(200);
    expect((await alice.get<{ files: unknown[] }>(`/profiles/${id}/files`)).body.files).toHaveLength(1);
    expect(await alice.delete(`/profiles/${id}`)).toMatchObject({
      status: 200,
      body: { message: "Profile deleted" },
    });
  });
});
