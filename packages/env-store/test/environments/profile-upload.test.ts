import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import {
  type BlobStore,
  createEncryptedBlobStore,
  createFsBlobStore,
  createMemoryBlobStore,
  readAll,
} from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { manyEntriesTarGz } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createEnvironmentStore } from "../../src/index.js";
import { randomKeyring } from "./fixtures.js";

/* Raw Chrome profile uploads (the contract's "upload browser data"), packed with the system's GNU tar. */

const user = "alice";
let dir = "";
let archivePath = "";
const cookiesDb = randomBytes(300_000);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "webrun-profile-upload-"));
  const profile = join(dir, "user-data");
  await mkdir(join(profile, "Default", "Cache", "Cache_Data"), { recursive: true });
  await writeFile(join(profile, "Local State"), JSON.stringify({ profile: { last_used: "Default" } }));
  await writeFile(join(profile, "Default", "Preferences"), "{}");
  await writeFile(join(profile, "Default", "Cookies"), cookiesDb);
  await writeFile(join(profile, "Default", "Cache", "Cache_Data", "data_0"), randomBytes(100_000));
  archivePath = join(dir, "profile.tar.gz");
  execFileSync("tar", ["-czf", archivePath, "-C", profile, "."]);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("raw profile uploads", () => {
  it("stores the kept files, drops caches, summarises, and reads uploading then ready", async () => {
    const store = createEnvironmentStore({
      store: createEncryptedBlobStore(createMemoryBlobStore(), randomKeyring()),
    });
    const env = await store.create(user, { name: "uploaded" });
    const source = new PassThrough();
    const uploading = store.importProfileArchive(user, env._id, source, { baseVersion: null });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await store.get(user, env._id)).status).toBe("uploading");
    createReadStream(archivePath).pipe(source);
    const saved = await uploading;
    expect(saved.environment.status).toBe("ready");
    expect(saved.environment.blobSize).toBe(saved.summary.totalBytes);
    expect(saved.summary.profile).toMatchObject({ entries: 3, dropped: expect.any(Number) });
    const loaded = await store.loadVersion(user, env._id);
    expect(loaded.profileFiles.map((f) => f.path).sort()).toEqual([
      "Default/Cookies",
      "Default/Preferences",
      "Local State",
    ]);
    expect((await readAll(await loaded.openProfileFile("Default/Cookies"))).equals(cookiesDb)).toBe(true);

    // The same profile again: every file is already stored, so the new copies are dropped.
    const again = await store.importProfileArchive(user, env._id, createReadStream(archivePath), {
      baseVersion: 1,
    });
    expect(again.version).toBe(2);
    expect((await store.loadVersion(user, env._id)).profileFiles).toEqual(loaded.profileFiles);
  });

  it("refuses what is not a .tar.gz with the contract's message and changes nothing", async () => {
    const store = createEnvironmentStore({ store: createMemoryBlobStore() });
    const env = await store.create(user, { name: "refused" });
    const error = await store
      .importProfileArchive(user, env._id, Readable.from([Buffer.from("PK\u0003\u0004 not a tarball")]))
      .catch((e: unknown) => e);
    expect((error as Error).message).toBe("Only .tar.gz files are allowed");
    expect(await store.get(user, env._id)).toMatchObject({ status: "empty", version: null, blobSize: null });
  });

  it("answers a hostile upload of 200,000 tiny entries within 5 s, naming the limit, and stores nothing", async () => {
    const driver = await createFsBlobStore({ root: join(dir, "blobs") });
    const keys = async (blobs: BlobStore) => {
      const found: string[] = [];
      for await (const info of blobs.list("")) found.push(info.key);
      return found.sort();
    };
    const store = createEnvironmentStore({ store: createEncryptedBlobStore(driver, randomKeyring()) });
    const env = await store.create(user, { name: "hostile" });
    const before = await keys(driver);
    const archive = await manyEntriesTarGz(200_000, "Default/");
    const started = performance.now();
    const error = await store
      .importProfileArchive(user, env._id, Readable.from([archive]))
      .catch((caught: unknown) => caught);
    const elapsedMs = performance.now() - started;
    expect(isWebrunError(error, "ARCHIVE_TOO_MANY_ENTRIES")).toBe(true);
    expect((error as Error).message).toBe("Archive has more than 20000 entries");
    expect(elapsedMs).toBeLessThan(5_000);
    expect(await store.get(user, env._id)).toMatchObject({ status: "empty", version: null });
    expect(await keys(driver)).toEqual(before);
  }, 120_000);
});
