import { createReadStream, createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { packEnvironmentArchive } from "@webrun/env-store";
import type { BrowserState } from "@webrun/state";
import { outputKind, writeFileAtomically } from "./output-file.js";

/**
 * Writes a captured state to `out`, whole or not at all and readable only
 * by the owner: a `.json` state document, or a `.tar.gz` environment
 * archive whose extension files stream from `extensionFolders` (by id),
 * verified against the state, with `profileDir`'s files (a storage
 * snapshot) under `profile/`.
 */
export async function writeStateFile(
  out: string,
  state: BrowserState,
  extensionFolders: ReadonlyMap<string, string> = new Map(),
  profileDir?: string,
): Promise<void> {
  const kind = outputKind(out);
  await writeFileAtomically(out, async (temporary) => {
    if (kind === "json") {
      await writeFile(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
      return;
    }
    const archive = packEnvironmentArchive({
      state,
      extensionFiles: (id, filePath) =>
        createReadStream(path.join(extensionFolders.get(id) ?? "/nonexistent", ...filePath.split("/"))),
      ...(profileDir === undefined ? {} : { profileDir }),
    });
    await pipeline(archive, createWriteStream(temporary, { mode: 0o600 }));
  });
}
