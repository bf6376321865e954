import { copyFile, cp, lstat, readlink, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { isDroppedProfilePath } from "@webrun/env-store";
import { cliError } from "../errors.js";

/**
 * Copying a desktop browser's profile so a headless browser of ours can open
 * it: the profile folder and its user-data-dir's `Local State` (which holds
 * the cookie key on Windows and macOS), less caches and locks.
 */

/** Where a profile's cookie database is: `Network/Cookies` since Chrome 96 on Windows, `Cookies` elsewhere. */
const cookieDatabases = ["Cookies", path.join("Network", "Cookies")];

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}

/**
 * Refuses a folder that is not a Chromium profile, naming what is missing;
 * a user-data-dir given instead of one of its profiles is told which to give.
 */
export async function checkChromiumProfile(profileDir: string): Promise<void> {
  const info = await stat(profileDir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw notAProfile(`--profile-dir ${profileDir} is not a folder`);
  }
  const missing: string[] = [];
  if (!(await isFile(path.join(profileDir, "Preferences")))) missing.push("Preferences");
  const cookies = await Promise.all(cookieDatabases.map((name) => isFile(path.join(profileDir, name))));
  if (!cookies.includes(true)) missing.push(`cookie database (${cookieDatabases.join(" or ")})`);
  if (missing.length === 0) return;
  const hint = (await isFile(path.join(profileDir, "Default", "Preferences")))
    ? `; it looks like a user-data-dir: give one of its profile folders, e.g. ${path.join(profileDir, "Default")}`
    : "";
  throw notAProfile(
    `${profileDir} is not a Chromium profile folder: it has no ${missing.join(" and no ")}${hint}`,
  );
}

/**
 * The browser holding the profile's user-data-dir, from its lock
 * (`SingletonLock` → `<host>-<pid>` on Linux and macOS, `lockfile` on
 * Windows): a description, or undefined when none is running. A lock left
 * by a browser that died on this host is not one.
 */
export async function runningBrowserOf(profileDir: string): Promise<string | undefined> {
  const userDataDir = path.dirname(profileDir);
  const target = await readlink(path.join(userDataDir, "SingletonLock")).catch(() => undefined);
  if (target !== undefined) {
    const match = /^(.*)-(\d+)$/.exec(target);
    if (match === null) return `a browser (SingletonLock ${target})`;
    const [, host, pid] = match;
    if (host !== hostname()) return `a browser on ${host} (pid ${pid})`;
    return processAlive(Number(pid)) ? `a browser (pid ${pid})` : undefined;
  }
  const windowsLock = await lstat(path.join(userDataDir, "lockfile")).catch(() => undefined);
  return windowsLock ? "a browser (lockfile)" : undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Copies the profile into `userDataDir/Default` (the name every profile
 * reader here assumes; the folder name is not part of what a profile holds)
 * and its `Local State` beside it. Caches, locks and `Singleton*` stay
 * behind (env-store's drop list, the one a stored profile uses); links and
 * special files are skipped, never followed. A running browser may delete
 * a journal midway: the copy is then retried.
 */
export async function copyProfile(profileDir: string, userDataDir: string): Promise<void> {
  const target = path.join(userDataDir, "Default");
  const keep = async (source: string) => {
    const relative = path.relative(profileDir, source).split(path.sep).join("/");
    if (relative !== "" && isDroppedProfilePath(`Default/${relative}`)) return false;
    const info = await lstat(source).catch(() => undefined);
    return info !== undefined && (info.isDirectory() || info.isFile());
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await cp(profileDir, target, { recursive: true, filter: keep, errorOnExist: false, force: true });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt === 3) throw error;
      await rm(target, { recursive: true, force: true });
    }
  }
  const localState = path.join(path.dirname(profileDir), "Local State");
  if (await isFile(localState)) await copyFile(localState, path.join(userDataDir, "Local State"));
}

function notAProfile(message: string) {
  return cliError({ kind: "invalid_input", code: "PROFILE_NOT_CHROMIUM", message });
}
