import { createHmac } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryBlobStore } from "@webrun/blob-store";
import { afterEach, describe, expect, it } from "vitest";
import { createEnvironmentStore } from "../../src/index.js";
import { EXTENSION_ID, errorOf, extensionFiles, manualClock, stateWith } from "./fixtures.js";

const user = "alice";
const hash = (value: string) => createHmac("sha256", "k").update(value).digest("hex").slice(0, 12);
const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function setup(limits = {}) {
  const store = createEnvironmentStore({ store: createMemoryBlobStore(), clock: manualClock(), limits });
  const env = await store.create(user, { name: "diff" });
  return { store, env };
}

async function profileDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "webrun-diff-profile-"));
  temps.push(dir);
  for (const [path, body] of Object.entries(files)) {
    await mkdir(join(dir, path, ".."), { recursive: true });
    await writeFile(join(dir, path), body);
  }
  return dir;
}

describe("diff of two kept versions", () => {
  it("names changed cookies, storage and extension files, never their values", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(4096, 2);
    await store.saveVersion(user, env._id, {
      state: stateWith("s3cr3t-one", extension),
      extensionFiles: extension.open,
    });
    const changedFile = Buffer.from("changed");
    extension.files.set("lib/part-1.js", changedFile);
    await store.saveVersion(user, env._id, {
      state: stateWith("s3cr3t-two", extension),
      extensionFiles: extension.open,
    });

    const diff = await store.diff(user, env._id, 1, 2, hash);
    expect(diff).toMatchObject({ environmentId: env._id, from: { version: 1 }, to: { version: 2 } });
    expect(diff.state.cookies.changed).toMatchObject([
      { name: "session", domain: ".example.com", path: "/" },
    ]);
    expect(diff.state.storage).toMatchObject([
      { storageKey: "https://app.test", area: "localStorage", changed: [{ name: "token" }] },
    ]);
    expect(diff.state.extensions).toMatchObject([
      { id: EXTENSION_ID, packageChanged: true, files: { changed: [{ path: "lib/part-1.js" }] } },
    ]);
    expect(JSON.stringify(diff)).not.toMatch(/s3cr3t/);
    // The same change hashes alike in another diff.
    expect((await store.diff(user, env._id, 2, 1, hash)).state.cookies.changed[0]?.after).toBe(
      diff.state.cookies.changed[0]?.before,
    );
  });

  it("names a raw profile's files added, removed and changed by SHA-256", async () => {
    const { store, env } = await setup();
    const state = stateWith("x");
    await store.saveVersion(user, env._id, {
      state,
      profileDir: await profileDir({ "Local State": "{}", "Default/Cookies": "one", "Default/Old": "o" }),
    });
    await store.saveVersion(user, env._id, {
      state,
      profileDir: await profileDir({ "Local State": "{}", "Default/Cookies": "two", "Default/New": "n" }),
    });
    const diff = await store.diff(user, env._id, 1, 2, hash);
    expect(diff.profileFiles).toMatchObject({
      added: [{ path: "Default/New" }],
      removed: [{ path: "Default/Old" }],
      changed: [{ path: "Default/Cookies" }],
    });
    expect(diff.state).toEqual({
      cookies: { added: [], removed: [], changed: [] },
      storage: [],
      indexedDB: [],
      extensions: [],
    });
  });

  it("refuses a version that is not kept, naming the kept range", async () => {
    const { store, env } = await setup({ keepVersions: 3 });
    expect(await errorOf(store.diff(user, env._id, 1, 2, hash))).toMatchObject({
      code: "VERSION_NOT_FOUND",
      message: "Version 1 is not kept: this environment has no versions yet",
    });
    for (let i = 1; i <= 5; i += 1) await store.saveVersion(user, env._id, { state: stateWith(`v${i}`) });
    expect(await errorOf(store.diff(user, env._id, 3, 9, hash))).toMatchObject({
      code: "VERSION_NOT_FOUND",
      message: "Version 9 is not kept; kept versions are 3–5",
      details: { kept: { oldest: 3, newest: 5 } },
    });
  });
});
