import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { type BlobStore, createEncryptedBlobStore, createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { afterEach, describe, expect, it } from "vitest";
import { createEnvironmentStore } from "../../src/index.js";
import { EXTENSION_ID, extensionFiles, randomKeyring, stateWith } from "./fixtures.js";

const user = "alice";

/** Every raw byte in a store, object by object. */
async function dump(blobs: BlobStore): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const { key } of blobs.list("")) {
    const object = await blobs.get(key);
    parts.push(Buffer.from(key), Buffer.from(JSON.stringify(object.metadata)), await readAll(object.body));
  }
  return Buffer.concat(parts);
}

async function saveSecretState(blobs: BlobStore, encrypted: boolean) {
  const secret = `cookie-${randomBytes(12).toString("hex")}`;
  const store = createEnvironmentStore({
    store: encrypted ? createEncryptedBlobStore(blobs, randomKeyring()) : blobs,
  });
  const env = await store.create(user, { name: "secret" });
  const extension = extensionFiles(10_000, 1);
  await store.saveVersion(user, env._id, {
    state: stateWith(secret, extension),
    extensionFiles: extension.open,
  });
  return { secret, store, env, extension };
}

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("the whole stack over an encrypted store", () => {
  it("leaves no cookie value (or localStorage value) in a dump of the bucket", async () => {
    const bucket = createMemoryBlobStore();
    const { secret, store, env } = await saveSecretState(bucket, true);
    const raw = await dump(bucket);
    expect(raw.length).toBeGreaterThan(10_000);
    expect(raw.includes(secret)).toBe(false);
    expect(raw.includes(Buffer.from(secret).toString("base64"))).toBe(false);
    expect(raw.includes("s3cr3t")).toBe(false);
    expect((await store.loadVersion(user, env._id)).state.cookies[0]?.value).toBe(secret);
  });

  it("(control) would find the cookie value in an unencrypted bucket", async () => {
    const bucket = createMemoryBlobStore();
    const { secret } = await saveSecretState(bucket, false);
    expect((await dump(bucket)).includes(secret)).toBe(true);
  });

  it("turns a tampered part into BLOB_TAMPERED, never into a state", async () => {
    const bucket = createMemoryBlobStore();
    const { store, env } = await saveSecretState(bucket, true);
    const parts = await keys(bucket, "content/");
    expect(parts.length).toBeGreaterThan(0);
    for (const key of parts) {
      const raw = await readAll((await bucket.get(key)).body);
      raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
      await bucket.put(key, raw);
    }
    const error = await store.loadVersion(user, env._id).catch((e: unknown) => e);
    expect(isWebrunError(error, "BLOB_TAMPERED")).toBe(true);
  });

  it("still deletes an environment whose parts were truncated, which stay unreadable until then", async () => {
    const bucket = createMemoryBlobStore();
    const { store, env } = await saveSecretState(bucket, true);
    for (const part of await keys(bucket, "content/")) {
      const raw = await readAll((await bucket.get(part)).body);
      await bucket.put(part, raw.subarray(0, 10));
    }
    const error = await store.loadVersion(user, env._id).catch((e: unknown) => e);
    expect(isWebrunError(error, "BLOB_TAMPERED")).toBe(true);
    await store.delete(user, env._id);
    expect(await keys(bucket, "")).toEqual([]);
  });

  it("shows status uploading while an archive import streams, then ready", async () => {
    const bucket = createMemoryBlobStore();
    const { store, env } = await saveSecretState(bucket, true);
    const target = await store.create(user, { name: "target" });
    const archive = await readAll(await store.exportArchive(user, env._id));
    const source = new PassThrough();
    const importing = store.importArchive(user, target._id, source, { baseVersion: null });
    source.write(archive.subarray(0, 100));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await store.get(user, target._id)).status).toBe("uploading");
    source.end(archive.subarray(100));
    const imported = await importing;
    expect(imported.environment.status).toBe("ready");
    expect((await store.get(user, target._id)).status).toBe("ready");
  });

  it("round-trips an environment archive and dedups a re-import", async () => {
    const bucket = createMemoryBlobStore();
    const { secret, store, env, extension } = await saveSecretState(bucket, true);
    const profileDir = await mkdtemp(join(tmpdir(), "webrun-profile-"));
    temps.push(profileDir);
    await mkdir(join(profileDir, "Default"), { recursive: true });
    const cookiesDb = randomBytes(40_000);
    await writeFile(join(profileDir, "Default", "Cookies"), cookiesDb);
    await writeFile(join(profileDir, "Local State"), "{}");
    const withProfile = await store.saveVersion(user, env._id, {
      state: stateWith(secret, extension),
      extensionFiles: extension.open,
      profileDir,
      profileSummary: {
        origins: ["https://profile-only.test"],
        extensions: [{ id: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", name: "From profile", version: "2.0" }],
        entries: 2,
        bytes: 40_002,
        dropped: 0,
        layout: "user-data-dir",
        warnings: [],
      },
      baseVersion: 1,
    });
    expect(withProfile.summary).toMatchObject({
      profileFiles: 2,
      origins: ["https://app.test", "https://profile-only.test"],
      extensions: [{ id: EXTENSION_ID }, { id: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", name: "From profile" }],
    });
    expect(withProfile.bytesUploaded).toBeLessThan(cookiesDb.length + 10_000);

    const archive = await readAll(await store.exportArchive(user, env._id));
    const copy = await store.create(user, { name: "copy" });
    const first = await store.importArchive(user, copy._id, PassThrough.from([archive]));
    const again = await store.importArchive(user, copy._id, PassThrough.from([archive]), { baseVersion: 1 });
    expect(first.bytesUploaded).toBeGreaterThan(cookiesDb.length);
    expect(again.bytesUploaded).toBeLessThan(4096);
    const loaded = await store.loadVersion(user, copy._id);
    expect(loaded.state.cookies[0]?.value).toBe(secret);
    expect((await readAll(await loaded.openProfileFile("Default/Cookies"))).equals(cookiesDb)).toBe(true);
    const manifestPath = "manifest.json";
    expect(
      (await readAll(await loaded.openExtensionFile(EXTENSION_ID, manifestPath))).equals(
        extension.files.get(manifestPath) as Buffer,
      ),
    ).toBe(true);
    const stale = await store
      .importArchive(user, copy._id, PassThrough.from([archive]), { baseVersion: 1 })
      .catch((e: unknown) => e);
    expect(isWebrunError(stale, "VERSION_CONFLICT")).toBe(true);
  });

  it("refuses a damaged archive and changes nothing", async () => {
    const bucket = createMemoryBlobStore();
    const { store, env } = await saveSecretState(bucket, true);
    const target = await store.create(user, { name: "target" });
    const archive = await readAll(await store.exportArchive(user, env._id));
    const error = await store
      .importArchive(user, target._id, PassThrough.from([archive.subarray(0, archive.length - 200)]))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(await store.get(user, target._id)).toMatchObject({ status: "empty", version: null });
    expect(await keys(bucket, "content/", target._id)).toEqual([]);
  });
});

async function keys(bucket: BlobStore, under: string, envId?: string): Promise<string[]> {
  const found: string[] = [];
  for await (const info of bucket.list(`users/${user}/environments/`))
    if (info.key.includes(`/${under}`) && (envId === undefined || info.key.includes(envId)))
      found.push(info.key);
  return found;
}
