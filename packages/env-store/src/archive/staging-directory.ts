import { constants } from "node:fs";
import { mkdir, mkdtemp, open, readdir, rename, rm, rmdir } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { envStoreError } from "../errors.js";
import { resolveInside } from "./entry-path.js";

/**
 * Runs `fill` against a fresh, private directory next to `targetDir` and
 * renames it into place only if `fill` succeeds; on any failure the staging
 * directory is removed, so nothing half-written is ever visible at
 * `targetDir`. The target must not exist yet, or be an empty directory.
 */
export async function withStagingDirectory<T>(
  targetDir: string,
  fill: (stagingDir: string) => Promise<T>,
): Promise<T> {
  const target = path.resolve(targetDir);
  await refuseNonEmptyTarget(target);
  await mkdir(path.dirname(target), { recursive: true });
  const staging = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}.partial-`));
  try {
    const result = await fill(staging);
    await rmdir(target).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(staging, target);
    return result;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
}

async function refuseNonEmptyTarget(target: string): Promise<void> {
  try {
    const children = await readdir(target);
    if (children.length === 0) return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  throw envStoreError({
    kind: "conflict",
    code: "ARCHIVE_TARGET_EXISTS",
    message: "The extraction target already exists and is not empty",
  });
}

// O_NOFOLLOW and O_EXCL: never write through a link nor over an existing file, even inside our own directory.
const CREATE_NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Writes files and directories under one root, every path checked with
 * `path.relative`. Files are private (0600, dirs 0700): profiles hold
 * cookies and tokens; archive modes are ignored, so no setuid or
 * world-writable bits come from outside. Remembers the directories it made
 * so a profile of thousands of files costs one mkdir per directory.
 */
export class DirectoryWriter {
  readonly #made = new Set<string>();

  constructor(readonly root: string) {}

  async writeFile(relativePath: string, body: Readable): Promise<void> {
    const destination = resolveInside(this.root, relativePath);
    await this.#makeDirectory(path.dirname(destination));
    const handle = await open(destination, CREATE_NEW_FILE, 0o600);
    await pipeline(body, handle.createWriteStream());
  }

  async makeDirectory(relativePath: string): Promise<void> {
    await this.#makeDirectory(resolveInside(this.root, relativePath));
  }

  async #makeDirectory(absolutePath: string): Promise<void> {
    if (this.#made.has(absolutePath)) return;
    await mkdir(absolutePath, { recursive: true, mode: 0o700 });
    this.#made.add(absolutePath);
  }
}
