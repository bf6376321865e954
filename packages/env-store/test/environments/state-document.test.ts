import { createEncryptedBlobStore, createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import type { BrowserState } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { documentLayout, splitState } from "../../src/environments/state-parts.js";
import { createEnvironmentStore } from "../../src/index.js";
import { type ExtensionFixture, errorOf, extensionFiles, randomKeyring, stateWith } from "./fixtures.js";

const user = "alice";

/** A state whose origin storage spans several groups (about 1.6 MB of JSON). */
function stateWithOrigins(cookie: string, extension?: ExtensionFixture): BrowserState {
  const state = stateWith(cookie, extension);
  state.origins = Array.from({ length: 80 }, (_, i) => ({
    origin: `https://site-${i}.test`,
    localStorage: [{ name: "blob", value: `${i}-${"x".repeat(20_000)}` }],
    sessionStorage: [],
    indexedDB: [],
  }));
  return state;
}

async function setup() {
  const blobs = createMemoryBlobStore();
  const store = createEnvironmentStore({ store: createEncryptedBlobStore(blobs, randomKeyring()) });
  const env = await store.create(user, { name: "document" });
  return { blobs, store, env };
}

describe("the stored state document", () => {
  it("streams the saved document, of the announced size, equal to what loadVersion parses", async () => {
    const { store, env } = await setup();
    const extension = extensionFiles(1_000, 1);
    await store.saveVersion(user, env._id, {
      state: stateWithOrigins("one"),
      extensionFiles: extension.open,
    });
    expect(splitState(stateWithOrigins("one")).originGroups.length).toBeGreaterThan(2);

    const document = await store.openStateDocument(user, env._id);
    const bytes = await readAll(document.body);
    expect(document.version).toBe(1);
    expect(bytes.length).toBe(document.size);
    expect(JSON.parse(bytes.toString("utf8"))).toEqual((await store.loadVersion(user, env._id)).state);
  });

  it("streams a state without origins, and an older version by number", async () => {
    const { store, env } = await setup();
    await store.saveVersion(user, env._id, { state: { ...stateWith("first"), origins: [] } });
    await store.saveVersion(user, env._id, { state: stateWithOrigins("second") });
    const first = await store.openStateDocument(user, env._id, 1);
    const bytes = await readAll(first.body);
    expect(bytes.length).toBe(first.size);
    expect(JSON.parse(bytes.toString("utf8"))).toEqual((await store.loadVersion(user, env._id, 1)).state);
    expect(JSON.parse(bytes.toString("utf8")).cookies[0].value).toBe("first");
  });

  it("fails the stream on a tampered origin group instead of sending its bytes", async () => {
    const { blobs, store, env } = await setup();
    await store.saveVersion(user, env._id, { state: stateWithOrigins("one") });
    const document = await store.openStateDocument(user, env._id);
    const parts: string[] = [];
    for await (const { key, size } of blobs.list(`users/${user}/`))
      if (key.includes("/content/") && size > 100_000) parts.push(key);
    for (const key of parts) {
      const raw = await readAll((await blobs.get(key)).body);
      raw[raw.length - 1] = (raw[raw.length - 1] as number) ^ 1;
      await blobs.put(key, raw);
    }
    const error = await errorOf(readAll(document.body));
    expect(isWebrunError(error, "BLOB_TAMPERED")).toBe(true);
  });

  it("reports an environment without versions clearly", async () => {
    const { store, env } = await setup();
    expect(isWebrunError(await errorOf(store.openStateDocument(user, env._id)), "ENVIRONMENT_EMPTY")).toBe(
      true,
    );
  });
});

describe("documentLayout", () => {
  it("splices groups into a core whose origins come last, and declines an older core", () => {
    const { core, originGroups } = splitState(stateWithOrigins("one"));
    const layout = documentLayout(
      core,
      originGroups.map((group) => group.length),
    );
    const spliced = Buffer.concat([
      layout?.head ?? Buffer.alloc(0),
      Buffer.from(originGroups.map((group) => group.subarray(1, -1).toString()).join(",")),
      layout?.tail ?? Buffer.alloc(0),
    ]);
    expect(spliced.length).toBe(layout?.size);
    expect(JSON.parse(spliced.toString()).origins).toHaveLength(80);
    // Before, `origins` stayed where the state had it, before `extensions`.
    const older = Buffer.from(JSON.stringify({ version: 1, cookies: [], origins: [], extensions: [] }));
    expect(documentLayout(older, [10])).toBeUndefined();
  });
});
