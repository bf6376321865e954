import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createFsBlobStore } from "../../src/blob-store/drivers/fs.js";
import { describeBlobStoreConformance } from "./conformance.js";

let root = "";
describeBlobStoreConformance(
  "fs",
  async () => {
    root = await mkdtemp(join(tmpdir(), "webrun-fs-store-"));
    return createFsBlobStore({ root });
  },
  () => rm(root, { recursive: true, force: true }),
);
