import path from "node:path";
import { archiveError } from "../errors.js";
import type { ArchiveLimits } from "./limits.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters in names are refused on purpose
const controlCharacters = /[\u0000-\u001f\u007f]/;
const windowsDrive = /^[a-zA-Z]:/;

/**
 * Turns a raw tar entry name into a safe relative `/`-joined path, or
 * refuses it. `./` and empty segments are dropped (GNU tar writes `./x`);
 * `..`, absolute paths, drive letters and backslashes are refused outright
 * rather than "fixed", since an archive that contains them is hostile or
 * broken. Returns "" for the archive root itself (`./`).
 */
export function normaliseEntryPath(
  rawName: string,
  limits: Pick<ArchiveLimits, "maxDepth" | "maxPathBytes">,
): string {
  if (controlCharacters.test(rawName)) {
    throw archiveError("ARCHIVE_PATH_INVALID", "Archive entry name contains control characters", {
      entry: rawName,
    });
  }
  if (Buffer.byteLength(rawName) > limits.maxPathBytes) {
    throw archiveError("ARCHIVE_PATH_INVALID", "Archive entry name is too long", { entry: rawName });
  }
  if (rawName.startsWith("/") || windowsDrive.test(rawName) || rawName.includes("\\")) {
    throw archiveError("ARCHIVE_PATH_TRAVERSAL", "Archive entry has an absolute or Windows path", {
      entry: rawName,
    });
  }
  const segments = rawName.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    throw archiveError("ARCHIVE_PATH_TRAVERSAL", "Archive entry escapes the target directory", {
      entry: rawName,
    });
  }
  if (segments.some((segment) => Buffer.byteLength(segment) > 255)) {
    throw archiveError("ARCHIVE_PATH_INVALID", "Archive entry has a path segment longer than 255 bytes", {
      entry: rawName,
    });
  }
  if (segments.length > limits.maxDepth) {
    throw archiveError("ARCHIVE_TOO_DEEP", `Archive entry is nested deeper than ${limits.maxDepth} levels`, {
      entry: rawName,
    });
  }
  return segments.join("/");
}

/**
 * The key two paths collide under: NFC-normalised and case-folded, the way
 * case-insensitive or normalising file systems (macOS, Windows) would
 * merge them. Upper-then-lower folds more pairs (ß/SS, ſ/s, K/k) than
 * lower alone.
 */
export function collisionKey(relativePath: string): string {
  return relativePath.normalize("NFC").toUpperCase().toLowerCase().normalize("NFC");
}

/**
 * The absolute path of `relativePath` under `root`, checked with
 * `path.relative` (a prefix test would accept `/root-evil` for `/root`).
 */
export function resolveInside(root: string, relativePath: string): string {
  const destination = path.resolve(root, ...relativePath.split("/"));
  const relative = path.relative(root, destination);
  if (
    relative === "" ||
    relative === ".." ||
    relative.startsWith(`..${path.sep}`) ||
    path.isAbsolute(relative)
  ) {
    throw archiveError("ARCHIVE_PATH_TRAVERSAL", "Archive entry escapes the target directory", {
      entry: relativePath,
    });
  }
  return destination;
}
