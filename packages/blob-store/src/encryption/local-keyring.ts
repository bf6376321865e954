import { randomBytes } from "node:crypto";
import { link, mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { masterKeyInvalid } from "./errors.js";
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
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  let created = false;
  if (!(await exists(path))) created = await createKeyFile(path);
  const info = await stat(path);
  if (!info.isFile()) throw masterKeyInvalid(`master key ${path} is not a regular file`);
  if ((info.mode & 0o077) !== 0) {
    const mode = (info.mode & 0o777).toString(8).padStart(4, "0");
    throw masterKeyInvalid(
      `master key ${path} has mode ${mode}: other users may read it; run chmod 600 ${path}`,
    );
  }
  const key = decodeMasterKey(await readFile(path, "utf8"), `master key file ${path}`);
  return { keyring: new Keyring(new Map([[LOCAL_KEY_ID, key]]), LOCAL_KEY_ID), path, created };
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

/** Writes a fresh key to a private temp file, then hard-links it into place: never a half-written key, and the first writer wins. */
async function createKeyFile(path: string): Promise<boolean> {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temp, "wx", 0o600);
  try {
    await handle.writeFile(`${randomBytes(32).toString("base64")}\n`);
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
