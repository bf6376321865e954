import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFsBlobStore } from "../../src/drivers/fs.js";

describe("fs store start-up", () => {
  let root = "";
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "webrun-lock-leftovers-"));
    await createFsBlobStore({ root });
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it("removes end claims of gone locks and old files written aside, and keeps locks and live claims", async () => {
    const locks = join(root, "locks");
    const lock = (token: string) =>
      JSON.stringify({ host: hostname(), pid: process.pid, token, time: Date.now() });
    await writeFile(join(locks, "aaa"), lock("cafe01"));
    await writeFile(join(locks, "aaa#end-cafe01-1"), lock("f00d01"));
    await writeFile(join(locks, "aaa#end-0dd0-1"), lock("f00d02"));
    await writeFile(join(locks, "bbb#end-cafe02-2"), lock("f00d03"));
    await writeFile(join(locks, "aaa#young"), lock("f00d04"));
    await writeFile(join(locks, "aaa#old"), lock("f00d05"));
    const longAgo = new Date(Date.now() - 3600_000);
    await utimes(join(locks, "aaa#old"), longAgo, longAgo);
    await createFsBlobStore({ root });
    expect((await readdir(locks)).sort()).toEqual(["aaa", "aaa#end-cafe01-1", "aaa#young"]);
  });
});
