import { archiveError } from "../errors.js";
import { collisionKey } from "./entry-path.js";

/**
 * Remembers every path an archive has produced so far, to refuse
 * duplicates, a file where a directory is (or the reverse), and names that
 * differ only by Unicode normalisation or case: on a case-insensitive file
 * system the second would silently overwrite the first.
 */
export class PathRegistry {
  readonly #files = new Map<string, string>();
  readonly #directories = new Map<string, string>();

  addFile(relativePath: string): void {
    const key = collisionKey(relativePath);
    const existing = this.#files.get(key);
    if (existing === relativePath) {
      throw archiveError("ARCHIVE_DUPLICATE_ENTRY", "Archive contains the same file twice", {
        entry: relativePath,
      });
    }
    if (existing !== undefined || this.#directories.has(key)) {
      throw collision(relativePath);
    }
    this.#addParents(relativePath);
    this.#files.set(key, relativePath);
  }

  addDirectory(relativePath: string): void {
    const key = collisionKey(relativePath);
    if (this.#files.has(key)) throw collision(relativePath);
    this.#addParents(relativePath);
    this.#addOneDirectory(relativePath, key);
  }

  #addParents(relativePath: string): void {
    const segments = relativePath.split("/");
    for (let depth = 1; depth < segments.length; depth++) {
      const parent = segments.slice(0, depth).join("/");
      const key = collisionKey(parent);
      if (this.#files.has(key)) throw collision(relativePath);
      this.#addOneDirectory(parent, key);
    }
  }

  #addOneDirectory(relativePath: string, key: string): void {
    const existing = this.#directories.get(key);
    if (existing === undefined) this.#directories.set(key, relativePath);
    else if (existing !== relativePath) throw collision(relativePath);
  }
}

function collision(relativePath: string) {
  return archiveError(
    "ARCHIVE_PATH_COLLISION",
    "Archive entry collides with another entry (same name after Unicode normalisation or case folding, or a file where a directory is)",
    { entry: relativePath },
  );
}
