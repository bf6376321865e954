import { createWriteStream } from "node:fs";
import { chmod } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { EnvironmentHead } from "./backend.js";
import { diskSafeName, UniqueNames } from "./unique-names.js";

/**
 * Writes the environment's files into `dir` under their original names
 * (collisions numbered), each read-only, then makes the folder read-only
 * too: a page's file input can take them, nothing in the session can
 * change them. Returns how many were written.
 */
export async function materializeFiles(head: EnvironmentHead, dir: string): Promise<number> {
  const names = new UniqueNames();
  for (const file of head.files) {
    const target = path.join(dir, names.claim(diskSafeName(file.originalName)));
    await pipeline(await head.openFile(file.fileId), createWriteStream(target, { flags: "wx", mode: 0o400 }));
  }
  await chmod(dir, 0o500);
  return head.files.length;
}
