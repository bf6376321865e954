/**
 * An unpacked extension's files: reading a folder into an ExtensionState,
 * laying an ExtensionState out as a folder, and the id Chromium gives it.
 *
 * Facts relied on (verified on Chromium 156 with `--load-extension`):
 * - the id is SHA-256 of the manifest `key` (base64 DER of the public key)
 *   when there is one, else SHA-256 of the folder's absolute path as loaded
 *   (Chromium resolves symlinks first, so we hash the real path); the first
 *   32 hex digits, each mapped 0–f → a–p.
 * - a keyless extension therefore gets a NEW id in every folder it is laid
 *   out in: its `chrome.storage` must be written under the id
 *   {@link layoutExtension} returns, not the one it was captured with. We add
 *   nothing (no `key`) to the manifest: that would change the extension.
 */
import { createHash } from "node:crypto";
import { constants, createWriteStream } from "node:fs";
import { mkdir, open, readdir, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { WebrunError } from "@webrun/errors";
import { type ExtensionFile, type ExtensionState, extensionFileSchema } from "@webrun/state";
import { browserStateError } from "../errors.js";

/** The id Chromium gives an unpacked extension without a manifest `key`, loaded from `absolutePath`. */
export function extensionIdForPath(absolutePath: string): string {
  if (!path.isAbsolute(absolutePath)) {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_PATH_NOT_ABSOLUTE",
      message: "an extension id is derived from an absolute path",
    });
  }
  return idFromDigest(createHash("sha256").update(absolutePath, "utf8").digest("hex"));
}

/** The id Chromium gives an extension whose manifest has `key` (base64 DER public key). */
export function extensionIdForKey(manifestKeyBase64: string): string {
  const der = Buffer.from(manifestKeyBase64.replace(/\s+/g, ""), "base64");
  if (der.length === 0) {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_KEY_INVALID",
      message: "manifest key is not base64 DER",
    });
  }
  return idFromDigest(createHash("sha256").update(der).digest("hex"));
}

function idFromDigest(hex: string): string {
  return [...hex.slice(0, 32)].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join("");
}

/** Refusals that keep a hostile or runaway folder out of a state document. */
export interface ExtensionReadLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
  /** Total bytes that may be inlined as base64 into the document. */
  maxInlineBytes: number;
}

export const defaultExtensionReadLimits: ExtensionReadLimits = {
  maxFiles: 10_000,
  maxFileBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxInlineBytes: 32 * 1024 * 1024,
};

export interface ReadUnpackedExtensionOptions {
  /** Put each file's bytes into `contentBase64` (a standalone JSON document). */
  inlineFiles?: boolean;
  limits?: Partial<ExtensionReadLimits>;
}

/**
 * Reads an unpacked extension folder. Symlinks are refused, not followed (a
 * link could point anywhere on the machine); so are devices and sockets.
 * Files are hashed as they are read, so sizes and digests describe the
 * bytes actually read. Storage is empty: read it with `readExtensionStorage`.
 */
export async function readUnpackedExtension(
  dir: string,
  options: ReadUnpackedExtensionOptions = {},
): Promise<ExtensionState> {
  const limits = { ...defaultExtensionReadLimits, ...options.limits };
  const root = await realpath(dir);
  const relativePaths = await listFiles(root, limits);
  const files: ExtensionFile[] = [];
  let totalBytes = 0;
  let manifestBytes: Buffer | undefined;
  for (const relative of relativePaths) {
    const wantBytes = options.inlineFiles === true || relative === "manifest.json";
    const read = await readFileChecked(
      path.join(root, ...relative.split("/")),
      limits.maxFileBytes,
      wantBytes,
    );
    totalBytes += read.size;
    if (
      totalBytes > limits.maxTotalBytes ||
      (options.inlineFiles === true && totalBytes > limits.maxInlineBytes)
    ) {
      throw tooLarge(
        `extension files exceed ${options.inlineFiles ? limits.maxInlineBytes : limits.maxTotalBytes} bytes`,
      );
    }
    if (relative === "manifest.json") manifestBytes = read.bytes;
    files.push({
      path: relative,
      size: read.size,
      sha256: read.sha256,
      ...(options.inlineFiles === true && read.bytes ? { contentBase64: read.bytes.toString("base64") } : {}),
    });
  }
  if (manifestBytes === undefined) {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_MANIFEST_MISSING",
      message: `no manifest.json in ${dir}`,
    });
  }
  const manifest = parseManifest(manifestBytes);
  return {
    id: typeof manifest.key === "string" ? extensionIdForKey(manifest.key) : extensionIdForPath(root),
    name: manifest.name,
    version: manifest.version,
    manifest,
    enabled: true,
    files,
    storage: { local: {}, sync: {} },
  };
}

/** Where {@link layoutExtension} gets each file's bytes from. */
export type ExtensionFileOpener = (relativePath: string) => Promise<Readable | Buffer>;

/**
 * Writes an extension's files into `targetDir` (created if needed; files
 * must not exist yet) and returns the real folder and the id Chromium will
 * give it when loaded from there. Paths are validated again here; every
 * file's size and SHA-256 are checked against the state. Without a
 * `manifest.json` among the files, `extension.manifest` is written.
 */
export async function layoutExtension(
  extension: ExtensionState,
  targetDir: string,
  openFile: ExtensionFileOpener,
): Promise<{ dir: string; id: string }> {
  await mkdir(targetDir, { recursive: true });
  const root = await realpath(targetDir);
  let hasManifest = false;
  for (const file of extension.files) {
    const destination = safeDestination(root, file.path);
    if (file.path === "manifest.json") hasManifest = true;
    await mkdir(path.dirname(destination), { recursive: true });
    await writeVerified(destination, file, await openFile(file.path));
  }
  if (!hasManifest) {
    await writeFile(path.join(root, "manifest.json"), JSON.stringify(extension.manifest, null, 2), {
      flag: "wx",
    });
  }
  const key = extension.manifest.key;
  return { dir: root, id: typeof key === "string" ? extensionIdForKey(key) : extensionIdForPath(root) };
}

/** An {@link ExtensionFileOpener} for a state whose files carry `contentBase64`. */
export function inlineFileOpener(extension: ExtensionState): ExtensionFileOpener {
  const contents = new Map(extension.files.map((file) => [file.path, file.contentBase64]));
  return async (relativePath) => {
    const base64 = contents.get(relativePath);
    if (base64 === undefined) {
      throw browserStateError({
        kind: "invalid_input",
        code: "EXTENSION_FILE_CONTENT_MISSING",
        message: `extension file ${relativePath} has no inline content`,
      });
    }
    return Buffer.from(base64, "base64");
  };
}

async function listFiles(root: string, limits: ExtensionReadLimits): Promise<string[]> {
  const found: string[] = [];
  const walk = async (relativeDir: string): Promise<void> => {
    const entries = await readdir(path.join(root, relativeDir), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isSymbolicLink()) {
        throw browserStateError({
          kind: "invalid_input",
          code: "EXTENSION_SYMLINK",
          message: `extension folder contains a symbolic link (${relative}); copy the target in instead`,
        });
      }
      if (entry.isDirectory()) {
        await walk(relative);
      } else if (entry.isFile()) {
        if (!extensionFileSchema.shape.path.safeParse(relative).success) {
          throw browserStateError({
            kind: "invalid_input",
            code: "EXTENSION_FILE_NAME_INVALID",
            message: `extension file name not portable: ${JSON.stringify(relative)}`,
          });
        }
        found.push(relative);
        if (found.length > limits.maxFiles)
          throw tooLarge(`extension has more than ${limits.maxFiles} files`);
      } else {
        throw browserStateError({
          kind: "invalid_input",
          code: "EXTENSION_FILE_TYPE",
          message: `extension folder contains a special file (${relative})`,
        });
      }
    }
  };
  await walk("");
  return found;
}

async function readFileChecked(
  file: string,
  maxBytes: number,
  keepBytes: boolean,
): Promise<{ size: number; sha256: string; bytes?: Buffer }> {
  // O_NOFOLLOW: a file swapped for a link after listing is refused too.
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  const hash = createHash("sha256");
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of handle.createReadStream({ autoClose: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw tooLarge(`extension file larger than ${maxBytes} bytes`);
      hash.update(chunk);
      if (keepBytes) chunks.push(chunk);
    }
  } finally {
    await handle.close();
  }
  return { size, sha256: hash.digest("hex"), ...(keepBytes ? { bytes: Buffer.concat(chunks) } : {}) };
}

function parseManifest(bytes: Buffer): Record<string, unknown> & { name: string; version: string } {
  let manifest: unknown;
  try {
    manifest = JSON.parse(bytes.toString("utf8").replace(/^\uFEFF/, ""));
  } catch (error) {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_MANIFEST_INVALID",
      message: "manifest.json is not JSON",
      cause: error,
    });
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_MANIFEST_INVALID",
      message: "manifest.json is not a JSON object",
    });
  }
  const { name, version } = manifest as Record<string, unknown>;
  if (typeof name !== "string" || typeof version !== "string") {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_MANIFEST_INVALID",
      message: "manifest.json needs a string name and version",
    });
  }
  return { ...(manifest as Record<string, unknown>), name, version };
}

function safeDestination(root: string, relative: string): string {
  const valid = extensionFileSchema.shape.path.safeParse(relative).success && !relative.includes("\\");
  const destination = path.join(root, ...relative.split("/"));
  if (!valid || !destination.startsWith(`${root}${path.sep}`)) {
    throw browserStateError({
      kind: "invalid_input",
      code: "EXTENSION_FILE_PATH_INVALID",
      message: `extension file path escapes its folder: ${JSON.stringify(relative)}`,
    });
  }
  return destination;
}

async function writeVerified(
  destination: string,
  file: ExtensionFile,
  source: Readable | Buffer,
): Promise<void> {
  const hash = createHash("sha256");
  let size = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      if (size > file.size) {
        done(mismatch(file.path));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const input = Buffer.isBuffer(source) ? Readable.from([source]) : source;
  // flags "wx": never overwrite, never write through a planted symlink.
  await pipeline(input, measure, createWriteStream(destination, { flags: "wx" }));
  if (size !== file.size || hash.digest("hex") !== file.sha256) throw mismatch(file.path);
}

function mismatch(relative: string): WebrunError {
  return browserStateError({
    kind: "integrity",
    code: "EXTENSION_FILE_MISMATCH",
    message: `extension file ${relative} does not match its recorded size and SHA-256`,
  });
}

function tooLarge(message: string): WebrunError {
  return browserStateError({ kind: "too_large", code: "EXTENSION_TOO_LARGE", message });
}
