import { createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { createEnvironmentStore } from "../../src/index.js";
import { EXTENSION_ID, errorOf, extensionFiles, manualClock, stateWith } from "./fixtures.js";

const user = "alice";

async function setup(limits = {}) {
  const clock = manualClock();
  const blobs = createMemoryBlobStore();
  const store = createEnvironmentStore({ store: blobs, clock, limits });
  const env = await store.create(user, { name: "versions" });
  return { clock, blobs, store, env };
}

describe("versions", () => {
  it("saves, summarises and loads a state with extension files", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(256 * 1024);
    const saved = await store.saveVersion(user, env._id, {
      state: stateWith("s3cr3t", extension),
      extensionFiles: extension.open,
      baseVersion: null,
    });
    expect(saved.version).toBe(1);
    expect(saved.environment).toMatchObject({ status: "ready", version: 1 });
    expect(saved.environment.blobSize).toBe(saved.summary.totalBytes);
    expect(saved.environment.blobUploadedAt).not.toBeNull();
    expect(saved.summary).toMatchObject({
      cookies: 2,
      cookieDomains: ["app.test", "example.com"],
      origins: ["https://app.test"],
      extensions: [{ id: EXTENSION_ID, name: "Fixture", version: "1.2.3" }],
      extensionBytes: [...extension.files.values()].reduce((n, b) => n + b.length, 0),
    });
    expect(JSON.stringify(saved.summary)).not.toContain("s3cr3t");
    expect((await store.get(user, env._id)).summary).toEqual(saved.summary);

    const loaded = await store.loadVersion(user, env._id);
    expect(loaded.version).toBe(1);
    expect(loaded.state.cookies[0]?.value).toBe("s3cr3t");
    expect(loaded.state.origins[0]?.localStorage).toEqual([{ name: "token", value: "ls-s3cr3t" }]);
    for (const [path, bytes] of extension.files)
      expect((await readAll(await loaded.openExtensionFile(EXTENSION_ID, path))).equals(bytes)).toBe(true);
  });

  it("uploads only the state when only cookies changed", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(10 * 1024 * 1024);
    const first = await store.saveVersion(user, env._id, {
      state: stateWith("v1", extension),
      extensionFiles: extension.open,
    });
    const openedFirst = extension.opened.length;
    const second = await store.saveVersion(user, env._id, {
      state: stateWith("v2", extension),
      extensionFiles: extension.open,
      baseVersion: 1,
    });
    expect(extension.opened.length).toBe(openedFirst);
    expect(first.bytesUploaded).toBeGreaterThan(10 * 1024 * 1024);
    expect(second.bytesUploaded).toBeLessThan(0.05 * first.bytesUploaded);
    expect(second.bytesUploaded).toBeLessThan(8 * 1024);
    const loaded = await store.loadVersion(user, env._id);
    expect(loaded.state.cookies[0]?.value).toBe("v2");
    const part = [...extension.files.keys()][1] as string;
    expect(
      (await readAll(await loaded.openExtensionFile(EXTENSION_ID, part))).equals(
        extension.files.get(part) as Buffer,
      ),
    ).toBe(true);
  });

  it("rewrites only the cookies when they alone changed, and only one origin group when one origin did", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(2 * 1024 * 1024);
    const withOrigins = (cookie: string, changedOrigin?: number) => {
      const state = stateWith(cookie, extension);
      state.origins = Array.from({ length: 60 }, (_, i) => ({
        origin: `https://site-${i}.test`,
        localStorage: [
          { name: "blob", value: `${i === changedOrigin ? "changed" : "same"}-${"x".repeat(20_000)}-${i}` },
        ],
        sessionStorage: [],
        indexedDB: [],
      }));
      return state;
    };
    const first = await store.saveVersion(user, env._id, {
      state: withOrigins("a"),
      extensionFiles: extension.open,
    });
    expect(first.summary.stateBytes).toBeGreaterThan(1_200_000);
    const cookieOnly = await store.saveVersion(user, env._id, {
      state: withOrigins("b"),
      extensionFiles: extension.open,
    });
    expect(cookieOnly.bytesUploaded).toBeLessThan(10_000);
    expect(cookieOnly.bytesUploaded / first.bytesUploaded).toBeLessThan(0.01);
    const oneOrigin = await store.saveVersion(user, env._id, {
      state: withOrigins("b", 7),
      extensionFiles: extension.open,
    });
    expect(oneOrigin.bytesUploaded).toBeLessThan(first.summary.stateBytes / 2);
    const loaded = await store.loadVersion(user, env._id);
    expect(loaded.state.origins).toHaveLength(60);
    const seventh = loaded.state.origins.find((o) => o.origin === "https://site-7.test");
    expect(seventh?.localStorage[0]?.value.startsWith("changed-")).toBe(true);
    expect(loaded.state.cookies[0]?.value).toBe("b");
  });

  it("streams every file in order with downloads in flight ahead, and releases them on an early stop", async () => {
    const { store, env } = await setup({ transferConcurrency: 3 });
    const extension = extensionFiles(400_000, 8);
    await store.saveVersion(user, env._id, {
      state: stateWith("files", extension),
      extensionFiles: extension.open,
    });
    const loaded = await store.loadVersion(user, env._id);
    const seen: string[] = [];
    for await (const file of loaded.files()) {
      if (file.kind !== "extension") throw new Error("no profile in this version");
      expect((await readAll(file.body)).equals(extension.files.get(file.path) as Buffer)).toBe(true);
      seen.push(file.path);
    }
    expect(seen).toEqual([...extension.files.keys()]);
    let read = 0;
    for await (const file of loaded.files()) {
      await readAll(file.body);
      read += 1;
      if (read === 2) break;
    }
    expect(read).toBe(2);
  });

  it("accepts inline contentBase64 and refuses files with no bytes or wrong bytes", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(1000, 1);
    const state = stateWith("x", extension);
    const files = state.extensions[0]?.files ?? [];
    for (const file of files) file.contentBase64 = extension.files.get(file.path)?.toString("base64");
    await expect(store.saveVersion(user, env._id, { state })).resolves.toMatchObject({ version: 1 });

    const other = await store.create(user, { name: "other" });
    const bare = stateWith("x", extension);
    expect(
      isWebrunError(
        await errorOf(store.saveVersion(user, other._id, { state: bare })),
        "EXTENSION_FILE_MISSING",
      ),
    ).toBe(true);
    const lying = await errorOf(
      store.saveVersion(user, other._id, {
        state: bare,
        extensionFiles: (_id, path) =>
          extension.open(EXTENSION_ID, path === "manifest.json" ? "lib/part-0.js" : path),
      }),
    );
    expect(lying).toMatchObject({ kind: "integrity" });
    expect((await store.get(user, other._id)).status).toBe("empty");
  });

  it("leaves none of a failed save's parts behind, the state's included (they go up while the files do)", async () => {
    const { blobs, env } = await setup();
    const slow = Object.create(blobs);
    slow.put = async (...args: Parameters<typeof blobs.put>) => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      return blobs.put(...args);
    };
    const store = createEnvironmentStore({ store: slow });
    const extension = extensionFiles(1000, 1);
    const failure = await errorOf(
      store.saveVersion(user, env._id, {
        state: stateWith("x", extension),
        extensionFiles: () => {
          throw new Error("source gone");
        },
      }),
    );
    expect(failure).toMatchObject({ message: "source gone" });
    // Long enough for any write still in flight to land.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const left: string[] = [];
    for await (const entry of blobs.list(`users/${user}/environments/${env._id}/content/`))
      left.push(entry.key);
    expect(left).toEqual([]);
  });

  it("fails a save on a stale base with VERSION_CONFLICT and the current version", async () => {
    const { store, env } = await setup();
    await store.saveVersion(user, env._id, { state: stateWith("a") });
    await store.saveVersion(user, env._id, { state: stateWith("b"), baseVersion: 1 });
    for (const baseVersion of [1, null, 7]) {
      const error = await errorOf(store.saveVersion(user, env._id, { state: stateWith("c"), baseVersion }));
      expect(isWebrunError(error, "VERSION_CONFLICT")).toBe(true);
      expect(error).toMatchObject({ kind: "conflict", details: { currentVersion: 2 } });
    }
    expect((await store.loadVersion(user, env._id)).state.cookies[0]?.value).toBe("b");
  });

  it("lets exactly one of many racing saves with the same base win, losing nothing", async () => {
    const { store, env, blobs } = await setup();
    const extension = extensionFiles(64 * 1024, 2);
    await store.saveVersion(user, env._id, {
      state: stateWith("base", extension),
      extensionFiles: extension.open,
    });
    const racers = Array.from({ length: 8 }, (_, i) => `racer-${i}`);
    const results = await Promise.allSettled(
      racers.map((value) =>
        store.saveVersion(user, env._id, {
          state: stateWith(value, extension),
          extensionFiles: extension.open,
          baseVersion: 1,
        }),
      ),
    );
    const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [racers[i]] : []));
    expect(winners).toHaveLength(1);
    for (const r of results)
      if (r.status === "rejected") {
        expect(isWebrunError(r.reason, "VERSION_CONFLICT")).toBe(true);
        expect((r.reason as { details: unknown }).details).toEqual({ currentVersion: 2 });
      }
    const head = await store.loadVersion(user, env._id);
    expect(head.version).toBe(2);
    expect(head.state.cookies[0]?.value).toBe(winners[0]);
    // Losers removed what they wrote: only the two versions' manifests remain.
    let manifests = 0;
    for await (const info of blobs.list(`users/${user}/environments/${env._id}/versions/`))
      manifests += info.size > 0 ? 1 : 0;
    expect(manifests).toBe(2);
  });

  it("serialises racing last-writer-wins saves into distinct versions", async () => {
    const { store, env } = await setup();
    const values = Array.from({ length: 6 }, (_, i) => `lww-${i}`);
    const results = await Promise.all(
      values.map((value) => store.saveVersion(user, env._id, { state: stateWith(value) })),
    );
    expect(results.map((r) => r.version).sort()).toEqual([1, 2, 3, 4, 5, 6]);
    const history = await store.history(user, env._id);
    expect(history.map((h) => h.version)).toEqual([6, 5, 4, 3, 2, 1]);
    for (const result of results) {
      const loaded = await store.loadVersion(user, env._id, result.version);
      expect(values).toContain(loaded.state.cookies[0]?.value);
    }
    const byVersion = await Promise.all(
      results.map(async (r) => (await store.loadVersion(user, env._id, r.version)).state.cookies[0]?.value),
    );
    expect(new Set(byVersion).size).toBe(6);
  });

  it("rolls back by committing a new version equal to the old one", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(100_000, 2);
    await store.saveVersion(user, env._id, {
      state: stateWith("one", extension),
      extensionFiles: extension.open,
    });
    await store.saveVersion(user, env._id, { state: stateWith("two") });
    const rolled = await store.rollback(user, env._id, 1, { baseVersion: 2 });
    expect(rolled.version).toBe(3);
    expect(rolled.bytesUploaded).toBeLessThan(4096);
    const loaded = await store.loadVersion(user, env._id);
    expect(loaded.state.cookies[0]?.value).toBe("one");
    expect(loaded.extensionFiles).toHaveLength(extension.files.size);
    const history = await store.history(user, env._id);
    expect(history.map((h) => [h.version, h.rolledBackFrom, h.head])).toEqual([
      [3, 1, true],
      [2, undefined, false],
      [1, undefined, false],
    ]);
    expect(isWebrunError(await errorOf(store.rollback(user, env._id, 9)), "VERSION_NOT_FOUND")).toBe(true);
    expect(
      isWebrunError(await errorOf(store.rollback(user, env._id, 1, { baseVersion: 2 })), "VERSION_CONFLICT"),
    ).toBe(true);
  });

  it("keeps the last N versions", async () => {
    const { store, env } = await setup({ keepVersions: 3 });
    for (let i = 1; i <= 5; i += 1) await store.saveVersion(user, env._id, { state: stateWith(`v${i}`) });
    expect((await store.history(user, env._id)).map((h) => h.version)).toEqual([5, 4, 3]);
    expect(isWebrunError(await errorOf(store.loadVersion(user, env._id, 2)), "VERSION_NOT_FOUND")).toBe(true);
    expect((await store.loadVersion(user, env._id, 3)).state.cookies[0]?.value).toBe("v3");
  });

  it("reports an empty environment clearly", async () => {
    const { store, env } = await setup();
    expect(isWebrunError(await errorOf(store.loadVersion(user, env._id)), "ENVIRONMENT_EMPTY")).toBe(true);
    expect(await store.history(user, env._id)).toEqual([]);
  });

  it("describes an environment and its versions from one read of its record", async () => {
    const { blobs, clock, store, env } = await setup();
    await store.saveVersion(user, env._id, { state: stateWith("one") });
    await store.saveVersion(user, env._id, { state: stateWith("two") });
    let gets = 0;
    const counted = Object.create(blobs);
    counted.get = (...args: Parameters<typeof blobs.get>) => {
      gets += 1;
      return blobs.get(...args);
    };
    const described = await createEnvironmentStore({ store: counted, clock }).describe(user, env._id);
    expect(gets).toBe(1);
    expect(described).toEqual({
      environment: await store.get(user, env._id),
      versions: await store.history(user, env._id),
    });
    expect(described.versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it("reads the record once per save, and reads no manifest back for the head it saved", async () => {
    const { blobs, env } = await setup();
    const reads: string[] = [];
    const counted = Object.create(blobs);
    counted.get = (...args: Parameters<typeof blobs.get>) => {
      reads.push(args[0]);
      return blobs.get(...args);
    };
    const store = createEnvironmentStore({ store: counted });
    const record = `users/${user}/environments/${env._id}/record.json`;
    const manifests = `users/${user}/environments/${env._id}/versions/`;
    await store.saveVersion(user, env._id, { state: stateWith("one") });
    expect(reads).toEqual([record]);
    reads.length = 0;
    await store.saveVersion(user, env._id, { state: stateWith("two") });
    expect(reads).toEqual([record]);
    reads.length = 0;
    expect((await store.loadVersion(user, env._id)).state.cookies[0]?.value).toBe("two");
    expect(reads[0]).toBe(record);
    expect(reads.filter((key) => key.startsWith(manifests))).toEqual([]);
  });

  it("keeps a change made to the record while a save uploads: the commit's swap fails and it retries on fresh data", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(10_000, 1);
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let opened: () => void = () => {};
    const uploading = new Promise<void>((resolve) => {
      opened = resolve;
    });
    const saving = store.saveVersion(user, env._id, {
      state: stateWith("during", extension),
      extensionFiles: async (id, path) => {
        opened();
        await held;
        return extension.open(id, path);
      },
    });
    await uploading;
    await store.update(user, env._id, { description: "changed mid-save" });
    release();
    const saved = await saving;
    expect(saved.version).toBe(1);
    expect(saved.environment.description).toBe("changed mid-save");
    expect(await store.get(user, env._id)).toMatchObject({ description: "changed mid-save", version: 1 });
  });
});
