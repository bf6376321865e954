import { type BlobStore, createEncryptedBlobStore, createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { WebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { createEnvironmentStore } from "../../src/index.js";
import { EXTENSION_ID, extensionFiles, randomKeyring, stateWith } from "./fixtures.js";

const user = "alice";

/** A store that starts failing every write (as an S3 server going away) after `healthyWrites` writes, until healed. */
function failingAfter(inner: BlobStore) {
  let writesLeft = Number.POSITIVE_INFINITY;
  const outage = () =>
    new WebrunError({ kind: "unavailable", code: "BLOB_STORE_UNAVAILABLE", message: "store unavailable" });
  const store: BlobStore = {
    ...inner,
    driver: `failing(${inner.driver})`,
    async put(key, body, options) {
      if (writesLeft <= 0) throw outage();
      writesLeft -= 1;
      return inner.put(key, body, options);
    },
    async delete(key) {
      if (writesLeft <= 0) throw outage();
      return inner.delete(key);
    },
    get: (key, options) => inner.get(key, options),
    head: (key) => inner.head(key),
    list: (prefix) => inner.list(prefix),
  };
  return {
    store,
    failAfter: (count: number) => {
      writesLeft = count;
    },
    heal: () => {
      writesLeft = Number.POSITIVE_INFINITY;
    },
  };
}

describe("a store that fails mid-save", () => {
  it("keeps the previous version intact and readable whichever write fails", async () => {
    const failing = failingAfter(createMemoryBlobStore());
    const store = createEnvironmentStore({ store: createEncryptedBlobStore(failing.store, randomKeyring()) });
    const env = await store.create(user, { name: "flaky" });
    const v1 = extensionFiles(50_000, 2);
    await store.saveVersion(user, env._id, { state: stateWith("v1", v1), extensionFiles: v1.open });

    // Fail at the first write, then the second, … until a save has all the writes it needs.
    const v2 = extensionFiles(50_000, 3);
    let healthy = 0;
    for (; ; healthy += 1) {
      failing.failAfter(healthy);
      const outcome = await store
        .saveVersion(user, env._id, { state: stateWith("v2", v2), extensionFiles: v2.open, baseVersion: 1 })
        .catch((e: unknown) => e);
      failing.heal();
      if (!(outcome instanceof Error)) {
        expect((outcome as { version: number }).version).toBe(2);
        break;
      }
      const head = await store.loadVersion(user, env._id);
      expect(head.version, `failing after ${healthy} writes`).toBe(1);
      expect(head.state.cookies[0]?.value).toBe("v1");
      for (const [path, bytes] of v1.files)
        expect((await readAll(await head.openExtensionFile(EXTENSION_ID, path))).equals(bytes)).toBe(true);
    }
    // State core, its origin group, three new extension files, the manifest and the head move:
    // every one was a failure point.
    expect(healthy).toBe(7);
    expect((await store.loadVersion(user, env._id)).state.cookies[0]?.value).toBe("v2");
  });
});
