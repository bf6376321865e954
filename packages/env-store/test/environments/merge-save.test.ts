import { Readable } from "node:stream";
import { createMemoryBlobStore, readAll } from "@webrun/blob-store";
import type { BrowserState, Cookie } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { createEnvironmentStore, packEnvironmentArchive } from "../../src/index.js";
import { EXTENSION_ID, errorOf, extensionFiles, manualClock, stateWith } from "./fixtures.js";

const user = "alice";

async function setup(limits = {}) {
  const clock = manualClock();
  const store = createEnvironmentStore({ store: createMemoryBlobStore(), clock, limits });
  const env = await store.create(user, { name: "merge" });
  return { clock, store, env };
}

function login(site: string, capturedAt: string, base: BrowserState): BrowserState {
  const cookie: Cookie = {
    name: "sid",
    value: `${site}-secret`,
    domain: site,
    path: "/",
    expires: -1,
    httpOnly: true,
    secure: true,
    session: true,
  };
  return { ...base, capturedAt, cookies: [...base.cookies, cookie] };
}

describe("saveMerged", () => {
  it("commits as it is when the head is still the base", async () => {
    const { store, env } = await setup();
    const first = await store.saveVersion(user, env._id, { state: stateWith("v1") });
    const saved = await store.saveMerged(user, env._id, {
      state: login("a.test", "2026-12-01T10:00:00Z", stateWith("v1")),
      mergeBase: first.version,
    });
    expect(saved.version).toBe(2);
    expect(saved.merge).toMatchObject({ baseVersion: 1, merged: false, mergedWith: [], conflicts: 0 });
    expect(saved.merge.changes.cookies).toEqual({ added: 1, changed: 0, removed: 0 });
  });

  it("merges into what others saved since the base instead of overwriting or refusing", async () => {
    const { store, env } = await setup();
    const base = stateWith("v1");
    await store.saveVersion(user, env._id, { state: base });
    await store.saveMerged(user, env._id, {
      state: login("a.test", "2026-12-01T10:00:00Z", base),
      mergeBase: 1,
    });
    const second = await store.saveMerged(user, env._id, {
      state: login("b.test", "2026-12-01T10:05:00Z", base),
      mergeBase: 1,
    });
    expect(second.merge).toMatchObject({ merged: true, mergedWith: [2], conflicts: 0 });
    const head = await store.loadVersion(user, env._id);
    expect(head.version).toBe(3);
    expect(head.state.cookies.map((c) => c.domain).sort()).toEqual([
      ".example.com",
      "a.test",
      "app.test",
      "b.test",
    ]);
  });

  it("keeps every session's login when many sessions close at once", async () => {
    const { store, env } = await setup();
    const base = stateWith("v1");
    await store.saveVersion(user, env._id, { state: base });
    const sites = Array.from({ length: 8 }, (_, i) => `site${i}.test`);
    const results = await Promise.all(
      sites.map((site, i) =>
        store.saveMerged(user, env._id, {
          state: login(site, `2026-12-01T10:0${i}:00Z`, base),
          mergeBase: 1,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.version)).size).toBe(8);
    const head = await store.loadVersion(user, env._id);
    for (const site of sites) expect(head.state.cookies.some((c) => c.domain === site)).toBe(true);
  });

  it("keeps the head's extension files when the merge takes the head's extension", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(64 * 1024);
    await store.saveVersion(user, env._id, { state: stateWith("v1") });
    await store.saveVersion(user, env._id, {
      state: { ...stateWith("v1", extension), capturedAt: "2026-12-01T10:00:00Z" },
      extensionFiles: extension.open,
    });
    const opened = extension.opened.length;
    // A session from version 1 knew nothing of the extension: it adds a login only.
    const saved = await store.saveMerged(user, env._id, {
      state: login("a.test", "2026-12-01T10:10:00Z", stateWith("v1")),
      mergeBase: 1,
    });
    expect(saved.merge.merged).toBe(true);
    expect(extension.opened.length).toBe(opened);
    const head = await store.loadVersion(user, env._id);
    expect(head.state.extensions.map((e) => e.id)).toEqual([EXTENSION_ID]);
    expect(head.extensionFiles).toHaveLength(extension.files.size);
  });

  it("refuses a base that is not kept, naming the oldest kept version", async () => {
    const { store, env } = await setup({ keepVersions: 2 });
    for (const value of ["v1", "v2", "v3"])
      await store.saveVersion(user, env._id, { state: stateWith(value) });
    const error = await errorOf(store.saveMerged(user, env._id, { state: stateWith("x"), mergeBase: 1 }));
    expect(error).toMatchObject({ code: "MERGE_BASE_NOT_KEPT", kind: "conflict" });
    expect(String((error as Error).message)).toContain("the oldest kept version is 2");
    const unknown = await errorOf(store.saveMerged(user, env._id, { state: stateWith("x"), mergeBase: 9 }));
    expect(unknown).toMatchObject({ code: "MERGE_BASE_NOT_KEPT" });
    expect((await store.loadVersion(user, env._id)).version).toBe(3);
  });

  it("merges a session that started from an empty environment into a head saved since", async () => {
    const { store, env } = await setup();
    await store.saveVersion(user, env._id, {
      state: login("first.test", "2026-12-01T10:00:00Z", stateWith("v1")),
    });
    const saved = await store.saveMerged(user, env._id, {
      state: login("second.test", "2026-12-01T10:01:00Z", {
        version: 1,
        cookies: [],
        origins: [],
        extensions: [],
      }),
      mergeBase: null,
    });
    expect(saved.merge).toMatchObject({ baseVersion: null, merged: true, mergedWith: [1] });
    const head = await store.loadVersion(user, env._id);
    expect(head.state.cookies.map((c) => c.domain)).toContain("first.test");
    expect(head.state.cookies.map((c) => c.domain)).toContain("second.test");
  });
});

describe("importArchiveMerged", () => {
  it("merges an archive's state and keeps its extension files through lost races", async () => {
    const { store, env } = await setup();
    await store.saveVersion(user, env._id, { state: stateWith("v1") });
    const extension = extensionFiles(32 * 1024);
    const archive = await readAll(
      packEnvironmentArchive({
        state: login("archive.test", "2026-12-01T10:05:00Z", stateWith("v1", extension)),
        extensionFiles: extension.open,
      }),
    );
    // Sessions from version 1 saving at once: most rounds are lost and merged again.
    const saves = await Promise.all([
      store.importArchiveMerged(user, env._id, Readable.from([archive]), { mergeBase: 1 }),
      ...["a", "b", "c", "d"].map((site) =>
        store.saveMerged(user, env._id, {
          state: login(`${site}.test`, "2026-12-01T10:01:00Z", stateWith("v1")),
          mergeBase: 1,
        }),
      ),
    ]);
    expect(new Set(saves.map((saved) => saved.version)).size).toBe(5);
    const head = await store.loadVersion(user, env._id);
    expect(head.state.cookies.map((c) => c.domain).sort()).toEqual(
      [".example.com", "a.test", "app.test", "archive.test", "b.test", "c.test", "d.test"].sort(),
    );
    expect(head.extensionFiles).toHaveLength(extension.files.size);
    for (const [path, bytes] of extension.files) {
      expect(await readAll(await head.openExtensionFile(EXTENSION_ID, path))).toEqual(bytes);
    }
  });

  it("refuses an archive with profile files, and a base not kept before reading it, saving nothing", async () => {
    const { store, env } = await setup({ keepVersions: 2 });
    for (const value of ["v1", "v2", "v3"])
      await store.saveVersion(user, env._id, { state: stateWith(value) });
    const withProfile = packEnvironmentArchive({
      state: stateWith("x"),
      profileFiles: [
        {
          path: "Default/Preferences",
          size: 2,
          sha256: "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
          open: () => Readable.from([Buffer.from("{}")]),
        },
      ],
    });
    const profileError = await errorOf(
      store.importArchiveMerged(user, env._id, withProfile, { mergeBase: 3 }),
    );
    expect(profileError).toMatchObject({ code: "MERGE_PROFILE_FILES", kind: "invalid_input" });
    const notKept = await errorOf(
      store.importArchiveMerged(user, env._id, packEnvironmentArchive({ state: stateWith("y") }), {
        mergeBase: 1,
      }),
    );
    expect(notKept).toMatchObject({ code: "MERGE_BASE_NOT_KEPT", details: { oldestKept: 2 } });
    expect((await store.loadVersion(user, env._id)).version).toBe(3);
  });
});
