import { chmod, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** The one folder a session owns on disk; everything of it goes at close. */
export interface SessionFolders {
  root: string;
  /** The environment's files, read-only. */
  files: string;
  /** Where Chromium saves downloads (named by their guid). */
  downloads: string;
  /** Given to the backend to unpack the head into. */
  scratch: string;
  /** Parent of the browser's temporary profile. */
  browser: string;
  remove(): Promise<void>;
}

export async function createSessionFolders(parent = tmpdir()): Promise<SessionFolders> {
  const root = await mkdtemp(path.join(parent, "webrun-session-"));
  const folders = {
    root,
    files: path.join(root, "files"),
    downloads: path.join(root, "downloads"),
    scratch: path.join(root, "scratch"),
    browser: path.join(root, "browser"),
  };
  try {
    await Promise.all(
      [folders.files, folders.downloads, folders.scratch, folders.browser].map((dir) =>
        mkdir(dir, { mode: 0o700 }),
      ),
    );
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  return {
    ...folders,
    async remove() {
      // The files folder is read-only: without write permission its entries cannot be unlinked.
      await chmod(folders.files, 0o700).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
