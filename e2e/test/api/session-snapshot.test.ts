import { randomBytes } from "node:crypto";
import { openSession, type Session } from "@webrun/session";
import { apiBackend } from "@webrun/session/api";
import {
  evaluateAtUrl,
  logInToSite,
  siteStatus,
  startTestSites,
  type TestSites,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, startApi } from "../support/api-process.js";
import { client } from "./support/clients.js";
import { createTestStorage, type TestStorage } from "./support/storage.js";

/** Runs `expression` on the vault's page in the session's first tab: its OPFS file `note`, written or read. */
const onVault = (session: Session, sites: TestSites, expression: string) =>
  evaluateAtUrl(session.cdpUrl, session.pageTargetId, `${sites.origins.vault}/`, expression);
const writeNote = `(async () => {
  const writable = await (await (await navigator.storage.getDirectory()).getFileHandle("note", { create: true })).createWritable();
  await writable.write("written by session 2");
  await writable.close();
  return true;
})()`;
const readNote = `(async () => {
  try { return await (await (await (await navigator.storage.getDirectory()).getFileHandle("note")).getFile()).text(); }
  catch { return null; }
})()`;

// Sessions through the HTTP backend on Ceph RGW: each save sends its fresh
// storage snapshot (OPFS, the signer's non-extractable key) in a merged
// environment archive, so the next session starts from it.
describe("a session's save through the API refreshes the storage snapshot", () => {
  const key = `key-gus-${randomBytes(12).toString("hex")}`;
  let storage: TestStorage;
  let server: ApiProcess;
  let sites: TestSites;

  beforeAll(async () => {
    storage = await createTestStorage("s3");
    server = await startApi({ ...storage.env, API_KEYS: `${key}:gus` });
    sites = await startTestSites();
  });

  afterAll(async () => {
    await sites?.stop();
    await server?.stop();
    await storage?.cleanup();
  });

  it("session 3 sees the OPFS note and the signing key session 2 saved", { timeout: 180_000 }, async () => {
    const api = client(server.url, key);
    const created = await api.post<{ environment: { _id: string } }>("/environments", { name: "vault" });
    const environmentId = created.body.environment._id;
    const open = () =>
      openSession({
        backend: apiBackend({ apiUrl: server.url, apiKey: key }),
        environmentId,
        chromeArgs: sites.chromiumArgs,
      });

    const first = await open();
    await logInToSite(first.cdpUrl, sites.origins, "vault", first.pageTargetId);
    expect((await first.close()).saved?.snapshot?.outcome).toBe("replaced");

    const second = await open();
    expect(await siteStatus(second.cdpUrl, sites.origins, "vault", second.pageTargetId)).toEqual({
      loggedIn: true,
      user: "alice@vault",
    });
    expect(await onVault(second, sites, writeNote)).toBe(true);
    await logInToSite(second.cdpUrl, sites.origins, "signer", second.pageTargetId);
    const saved = (await second.close()).saved;
    expect(saved).toMatchObject({
      merged: false,
      snapshot: { outcome: "replaced", reason: "this session's fresh storage snapshot replaced the head's" },
    });

    const third = await open();
    try {
      expect(third.seeded.notSeeded.storageSnapshot).toEqual([]);
      expect(await onVault(third, sites, readNote)).toBe("written by session 2");
      expect(await siteStatus(third.cdpUrl, sites.origins, "signer", third.pageTargetId)).toMatchObject({
        loggedIn: true,
        user: "alice@signer",
      });
    } finally {
      await third.close({ save: false });
    }
  });
});
