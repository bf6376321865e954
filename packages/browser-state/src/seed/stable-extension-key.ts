import { createHash, generateKeyPair } from "node:crypto";
import type { Readable } from "node:stream";
import { promisify } from "node:util";
import type { ExtensionState } from "@webrun/state";

type FileOpener = (relativePath: string) => Promise<Readable | Buffer>;

/**
 * An unpacked extension without a manifest `key` gets its id from its folder
 * path, so every seeded copy (a new temporary folder) would get a new id —
 * and lose anything keyed by it after the next capture. Giving it a `key`
 * of its own pins the id: it changes once, here, and the captured manifest
 * carries the key into every later session. Extensions with a key are
 * returned unchanged.
 */
export async function withStableKey(
  extension: ExtensionState,
  openFile: FileOpener,
): Promise<{ extension: ExtensionState; openFile: FileOpener }> {
  if (typeof extension.manifest.key === "string") return { extension, openFile };
  const { publicKey } = await promisify(generateKeyPair)("rsa", { modulusLength: 2048 });
  const key = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const manifest = { ...extension.manifest, key };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2));
  const manifestFile = {
    path: "manifest.json",
    size: manifestBytes.length,
    sha256: createHash("sha256").update(manifestBytes).digest("hex"),
  };
  return {
    extension: {
      ...extension,
      manifest,
      files: [...extension.files.filter((file) => file.path !== "manifest.json"), manifestFile],
    },
    openFile: async (relativePath) =>
      relativePath === "manifest.json" ? manifestBytes : openFile(relativePath),
  };
}
