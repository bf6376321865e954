import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { WebrunError } from "@webrun/errors";
import { masterKeyInvalid } from "../errors.js";
import { decodeMasterKey, Keyring } from "./keyring.js";

/** The key id objects written by the embedded default carry. */
export const LOCAL_KEY_ID = "local";

export interface LocalKeyring {
  keyring: Keyring;
  /** Where the key lives. */
  path: string;
  /** True when this call created the key: the app should say so (and that it must be backed up). */
  created: boolean;
}

/**
 * The embedded default's master key: `<dataDir>/master.key`, one base64
 * line, mode 0600. Created when missing (atomically: two processes starting
 * at once end up with the same key); refused when other users may read it or
 * it does not hold exactly 32 bytes.
 */
export async function loadOrCreateLocalKeyring(dataDir: string): Promise<LocalKeyring> {
  const path = join(dataDir, "master.key");
  const file = await loadOrCreateSecretFile(path, {
    generate: () => randomBytes(32).toString("base64"),
    what: "master key",
    invalid: masterKeyInvalid,
  });
  const key = decodeMasterKey(file.content, `master key file ${path}`);
  return { keyring: new Keyring(new Map([[LOCAL_KEY_ID, key]]), LOCAL_KEY_ID), path, created: file.created };
}

export interface SecretFileOptions {
  /** The secret to write when the file does not exist yet (one line; the newline is added). */
  generate(): string;
  /** Names the secret in messages, e.g. "master key". */
  what: string;
  /** The error a file that cannot be trusted becomes. */
  invalid(message: string): WebrunError;
}

/**
 * A secret kept in a file of its own, mode 0600, in a 0700 directory made
 * when missing. Created when missing (atomically: two processes starting at
 * once end up with the same secret); refused when other users may read it.
 * Resolves with the file's content, trimmed, and whether this call created it.
 */
export async function loadOrCreateSecretFile(
  path: string,
  options: SecretFileOptions,
): Promise<{ content: string; created: boolean }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let created = false;
  if (!(await exists(path))) created = await createSecretFile(path, options.generate());
  const info = await stat(path);
  if (!info.isFile()) throw options.invalid(`${options.what} ${path} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    throw options.invalid(
      `${options.what} ${path} has mode ${mode}: other users may read it; run chmod 600 ${path}`,
    );
  }
  return { content: (await readFile(path, "utf8")).trim(), created };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/** Writes the secret to a private temp file, then hard-links it into place: never a half-written file, and the first writer wins. */
async function createSecretFile(path: string, secret: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(`${secret}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(temp);
  }
}
