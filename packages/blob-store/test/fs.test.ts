import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testBlobStore } from "../src/conformance.js";
import { createFsBlobStore } from "../src/drivers/fs.js";
import { createEncryptedBlobStore } from "../src/encryption/encrypted-blob-store.js";
import { randomKeyring } from "./encryption/helpers.js";

/** A store in a fresh temp directory, removed after the suite. */
function inTempDirectory(
  name: string,
  wrap = (store: Awaited<ReturnType<typeof createFsBlobStore>>) => store,
) {
  let root = "";
  testBlobStore({
    name,
    open: async () => {
      root = await mkdtemp(join(tmpdir(), "webrun-fs-store-"));
      return wrap(await createFsBlobStore({ root }));
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  });
}

inTempDirectory("fs");
inTempDirectory("encrypted over fs", (store) => createEncryptedBlobStore(store, randomKeyring()));
