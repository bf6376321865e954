import { lstat, readdir } from "node:fs/promises";
import path from "node:path";
import { isDroppedProfilePath } from "./profile-drop-list.js";

/** A regular file of a profile directory on disk. */
export interface ProfileFile {
  /** Relative to the user-data-dir, `/`-separated. */
  path: string;
  absolutePath: string;
}

/**
 * Lists a user-data-dir's regular files in a stable (sorted) order, minus
 * the drop list. Symlinks (Chromium's `SingletonLock` is one), sockets and
 * other special files are skipped, never followed.
 */
export async function listProfileFiles(userDataDir: string): Promise<ProfileFile[]> {
  const files: ProfileFile[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const absoluteDir = path.join(userDataDir, ...relativeDir.split("/").filter(Boolean));
    const names = (await readdir(absoluteDir)).sort();
    for (const name of names) {
      const relativePath = relativeDir === "" ? name : `${relativeDir}/${name}`;
      if (isDroppedProfilePath(relativePath)) continue;
      const absolutePath = path.join(absoluteDir, name);
      const info = await lstat(absolutePath);
      if (info.isDirectory()) await walk(relativePath);
      else if (info.isFile()) files.push({ path: relativePath, absolutePath });
    }
  };
  await walk("");
  return files;
}
