// A session orchestrator in a process of its own, for the SIGKILL test: opens a
// session on <dataRoot>'s store, prints {cdpUrl, pid, pageTargetId} once ready,
// and on a "close" line from stdin prints "closing" and closes the session.
import path from "node:path";
import { createInterface } from "node:readline";
import { createEncryptedBlobStore, createFsBlobStore, loadOrCreateLocalKeyring } from "@webrun/blob-store";
import { createEnvironmentStore } from "@webrun/env-store";
import { createFileService } from "@webrun/file-upload";
import { openSession } from "../../dist/index.js";
import { storeBackend } from "../../dist/store/index.js";

const [dataRoot, userId, environmentId, tempDir, chromeArgs] = process.argv.slice(2);
const { keyring } = await loadOrCreateLocalKeyring(path.join(dataRoot, "data"));
const store = createEncryptedBlobStore(
  await createFsBlobStore({ root: path.join(dataRoot, "blobs") }),
  keyring,
);
const environments = createEnvironmentStore({ store });
const files = createFileService({ store, environments: { exists: async () => true } });
const session = await openSession({
  backend: storeBackend({ environments, files, userId }),
  environmentId,
  tempDir,
  chromeArgs: JSON.parse(chromeArgs),
});
console.log(JSON.stringify({ cdpUrl: session.cdpUrl, pid: session.pid, pageTargetId: session.pageTargetId }));
for await (const line of createInterface({ input: process.stdin })) {
  if (line === "close") {
    console.log("closing");
    console.log(JSON.stringify(await session.close()));
    process.exit(0);
  }
}
