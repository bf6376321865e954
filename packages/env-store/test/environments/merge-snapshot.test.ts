import { createHash } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { type RawTarEntry, rawTar } from "@webrun/test-fixtures";
import tar from "tar-stream";
import { afterEach, describe, expect, it } from "vitest";
import { createEnvironmentStore, packEnvironmentArchive } from "../../src/index.js";
import { errorOf, stateWith } from "./fixtures.js";

const user = "alice";
const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A folder holding `files` (user-data-dir relative paths). */
async function folderWith(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "webrun-merge-snapshot-"));
  temps.push(dir);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), text);
  }
  return dir;
}

/** An environment archive whose profile files are `files`. */
function archiveWith(state: ReturnType<typeof stateWith>, files: Record<string, string>): Readable {
  return packEnvironmentArchive({
    state,
    profileFiles: Object.entries(files).map(([file, text]) => ({
      path: file,
      size: Buffer.byteLength(text),
      sha256: createHash("sha256").update(text).digest("hex"),
      open: () => Readable.from([Buffer.from(text)]),
    })),
  });
}

/** An archive's entries, in order. */
async function entriesOf(archive: Readable): Promise<RawTarEntry[]> {
  const extract = tar.extract();
  const entries: RawTarEntry[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on("entry", (header, body, next) => {
      readAll(body as unknown as Readable).then((content) => {
        entries.push({ name: header.name, content });
        next();
      }, next);
    });
    extract.on("finish", () => resolve());
    extract.on("error", reject);
  });
  extract.end(gunzipSync(await readAll(archive)));
  await done;
  return entries;
}

const snapshotOf = (head: { profileFiles: readonly { path: string }[] }) =>
  head.profileFiles.map((file) => file.path).sort();

describe("the storage snapshot in a merged save", () => {
  it("is replaced by a session's own (the last save wins, and says so), kept without one, dropped on request", async () => {
    const store = createEnvironmentStore({ store: createMemoryBlobStore() });
    const env = await store.create(user, { name: "snapshot" });
    const uploaded = await folderWith({
      "Default/Preferences": "{}",
      "webrun-snapshot/webrun-snapshot.json": "v1",
    });
    await store.saveVersion(user, env._id, { state: stateWith("v1"), profileDir: uploaded });

    const archived = await store.importArchiveMerged(
      user,
      env._id,
      archiveWith(stateWith("a"), { "webrun-snapshot/webrun-snapshot.json": "a" }),
      { mergeBase: 1 },
    );
    expect(archived.merge.snapshot).toEqual({
      outcome: "replaced",
      reason: "this session's fresh storage snapshot replaced the head's",
    });
    const afterArchive = await store.loadVersion(user, env._id);
    expect(snapshotOf(afterArchive)).toEqual(["Default/Preferences", "webrun-snapshot/webrun-snapshot.json"]);
    const manifest = await afterArchive.openProfileFile("webrun-snapshot/webrun-snapshot.json");
    expect((await readAll(manifest)).toString()).toBe("a");

    // A session from version 1 saves after the archive: its snapshot wins, and the receipt names what it replaced.
    const late = await store.saveMerged(user, env._id, {
      state: stateWith("b"),
      mergeBase: 1,
      snapshot: { dir: await folderWith({ "webrun-snapshot/OPFS": "b" }) },
    });
    expect(late.merge.snapshot?.outcome).toBe("replaced");
    expect(late.merge.snapshot?.reason).toMatch(
      /^version 2's storage snapshot, saved since this session's base \(1\), was replaced by this session's/,
    );
    expect(snapshotOf(await store.loadVersion(user, env._id))).toEqual([
      "Default/Preferences",
      "webrun-snapshot/OPFS",
    ]);

    const without = await store.saveMerged(user, env._id, { state: stateWith("c"), mergeBase: 3 });
    expect(without.merge.snapshot?.outcome).toBe("kept");
    expect(snapshotOf(await store.loadVersion(user, env._id))).toEqual([
      "Default/Preferences",
      "webrun-snapshot/OPFS",
    ]);

    const dropped = await store.importArchiveMerged(user, env._id, archiveWith(stateWith("d"), {}), {
      mergeBase: 4,
      dropSnapshot: "stale",
    });
    expect(dropped.merge.snapshot).toEqual({ outcome: "dropped", reason: "stale" });
    expect(snapshotOf(await store.loadVersion(user, env._id))).toEqual(["Default/Preferences"]);
    const none = await store.saveMerged(user, env._id, { state: stateWith("e"), mergeBase: 5 });
    expect(none.merge.snapshot).toBeNull();
  });

  it("refuses other profile files, hostile paths and a snapshot folder holding anything else, saving nothing", async () => {
    const store = createEnvironmentStore({ store: createMemoryBlobStore() });
    const env = await store.create(user, { name: "hostile" });
    await store.saveVersion(user, env._id, { state: stateWith("v1") });

    const other = await errorOf(
      store.importArchiveMerged(
        user,
        env._id,
        archiveWith(stateWith("x"), {
          "webrun-snapshot/webrun-snapshot.json": "x",
          "Default/Cookies": "raw",
        }),
        { mergeBase: 1 },
      ),
    );
    expect(other).toMatchObject({ code: "MERGE_PROFILE_FILES", kind: "invalid_input" });
    expect((other as Error).message).toContain('"Default/Cookies"');

    // The same archive with its snapshot file renamed to climb out, or turned into a link.
    const legit = await entriesOf(archiveWith(stateWith("y"), { "webrun-snapshot/AAAA": "y" }));
    const rewritten = (entry: Partial<RawTarEntry>, manifestPath: string) =>
      Readable.from([
        gzipSync(
          rawTar(
            legit.map((raw) =>
              raw.name === "manifest.json"
                ? {
                    ...raw,
                    content: Buffer.from(raw.content ?? "")
                      .toString()
                      .replace("profile/webrun-snapshot/AAAA", manifestPath),
                  }
                : raw.name === "profile/webrun-snapshot/AAAA"
                  ? { ...raw, ...entry }
                  : raw,
            ),
          ),
        ),
      ]);
    const climbing = "profile/webrun-snapshot/../Default/Cookies";
    const traversal = await errorOf(
      store.importArchiveMerged(user, env._id, rewritten({ name: climbing }, climbing), { mergeBase: 1 }),
    );
    expect(traversal).toMatchObject({ code: "ARCHIVE_PATH_TRAVERSAL" });
    const link = await errorOf(
      store.importArchiveMerged(
        user,
        env._id,
        rewritten({ type: "symlink", linkName: "/etc/passwd", content: "" }, "profile/webrun-snapshot/AAAA"),
        { mergeBase: 1 },
      ),
    );
    expect(link).toMatchObject({ code: "ARCHIVE_LINK_REFUSED" });

    const stray = await errorOf(
      store.saveMerged(user, env._id, {
        state: stateWith("z"),
        mergeBase: 1,
        snapshot: { dir: await folderWith({ "webrun-snapshot/a": "a", "Default/Cookies": "raw" }) },
      }),
    );
    expect(stray).toMatchObject({ code: "MERGE_PROFILE_FILES", kind: "invalid_input" });
    expect((await store.history(user, env._id)).map((entry) => entry.version)).toEqual([1]);
  });
});
