import { lstat, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { isWebrunError } from "@webrun/errors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkChromiumProfile, copyProfile, runningBrowserOf } from "../src/chrome-import/profile-copy.js";

let dir: string;
let profile: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "webrun-profile-copy-"));
  profile = path.join(dir, "User Data", "Profile 3");
  for (const folder of ["Cache/Cache_Data", "Code Cache/js", "Local Storage/leveldb", "Network"]) {
    await mkdir(path.join(profile, folder), { recursive: true });
  }
  await writeFile(path.join(dir, "User Data", "Local State"), '{"os_crypt":{}}');
  await writeFile(path.join(profile, "Preferences"), "{}");
  await writeFile(path.join(profile, "Network", "Cookies"), "sqlite");
  await writeFile(path.join(profile, "Cache", "Cache_Data", "data_0"), "cached");
  await writeFile(path.join(profile, "Local Storage", "leveldb", "000003.log"), "rows");
  await writeFile(path.join(profile, "Local Storage", "leveldb", "LOCK"), "");
  await symlink("/etc/passwd", path.join(profile, "linked"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function tree(root: string, prefix = ""): Promise<string[]> {
  const names: string[] = [];
  for (const name of (await readdir(path.join(root, prefix))).sort()) {
    const relative = prefix === "" ? name : `${prefix}/${name}`;
    names.push(relative);
    if ((await lstat(path.join(root, relative))).isDirectory()) names.push(...(await tree(root, relative)));
  }
  return names;
}

describe("copyProfile", () => {
  it("copies the profile as Default with its Local State, leaving caches, locks and links behind", async () => {
    const copy = path.join(dir, "copy");
    await mkdir(copy);
    await copyProfile(profile, copy);
    expect(await tree(copy)).toEqual([
      "Default",
      "Default/Local Storage",
      "Default/Local Storage/leveldb",
      "Default/Local Storage/leveldb/000003.log",
      "Default/Network",
      "Default/Network/Cookies",
      "Default/Preferences",
      "Local State",
    ]);
    expect(await readFile(path.join(copy, "Local State"), "utf8")).toBe('{"os_crypt":{}}');
  });
});

describe("checkChromiumProfile", () => {
  it("accepts a profile with Preferences and Network/Cookies", async () => {
    await expect(checkChromiumProfile(profile)).resolves.toBeUndefined();
  });

  it("names what a folder that is not a profile lacks, and a missing folder", async () => {
    const message = async (folder: string) => {
      const error = await checkChromiumProfile(folder).catch((e: unknown) => e);
      expect(isWebrunError(error, "PROFILE_NOT_CHROMIUM")).toBe(true);
      return (error as Error).message;
    };
    const empty = path.join(dir, "empty");
    await mkdir(empty);
    expect(await message(empty)).toBe(
      `${empty} is not a Chromium profile folder: it has no Preferences and no cookie database (Cookies or Network/Cookies)`,
    );
    expect(await message(path.join(dir, "missing"))).toBe(
      `--profile-dir ${path.join(dir, "missing")} is not a folder`,
    );
  });
});

describe("runningBrowserOf", () => {
  it("reads the SingletonLock of a live process on this host, and ignores a stale one", async () => {
    const { hostname } = await import("node:os");
    const lock = path.join(dir, "User Data", "SingletonLock");
    expect(await runningBrowserOf(profile)).toBeUndefined();
    await symlink(`${hostname()}-${process.pid}`, lock);
    expect(await runningBrowserOf(profile)).toBe(`a browser (pid ${process.pid})`);
    await rm(lock);
    // pid_max on Linux is at most 2^22: this pid cannot be alive.
    await symlink(`${hostname()}-99999999`, lock);
    expect(await runningBrowserOf(profile)).toBeUndefined();
    await rm(lock);
    await symlink("elsewhere-12", lock);
    expect(await runningBrowserOf(profile)).toBe("a browser on elsewhere (pid 12)");
  });
});
