import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { captureState, storageSnapshotFolder } from "@webrun/browser-state";
import { launchTestChromium, logInToSite } from "@webrun/test-fixtures";
import { describe, expect, it } from "vitest";
import { unfilterableSnapshot } from "../src/seed-plan.js";
import { evaluateAt, logIn, statusOf, userId, useSessionWorld } from "./support/session-world.js";

describe("a storage snapshot kept with a version (its profile files)", () => {
  const world = useSessionWorld();

  it("is seeded into a session; with a domain filter it is not, and the session says why", async () => {
    const { sites } = world;
    const dir = await mkdtemp(path.join(tmpdir(), "webrun-session-snapshot-"));
    try {
      // A browser whose OPFS holds the vault's token, captured with its snapshot in a profile folder.
      const browser = await launchTestChromium(path.join(dir, "browser"), sites.chromiumArgs);
      const template = path.join(dir, "template");
      const captured = await (async () => {
        try {
          await logInToSite(browser.endpoint, sites.origins, "vault");
          return await captureState(browser.endpoint, {
            storageSnapshotDir: path.join(template, storageSnapshotFolder),
          });
        } finally {
          await browser.close();
        }
      })();
      const envId = await world.createEnvironment("offline apps");
      await world.environments.saveVersion(userId, envId, { state: captured.state, profileDir: template });

      const session = await world.open(envId);
      expect(session.seeded.notSeeded.storageSnapshot).toEqual([]);
      expect(await statusOf(session, sites, "vault")).toEqual({ loggedIn: true, user: "alice@vault" });
      await session.close({ save: false });

      const filtered = await world.open(envId, { onlyDomains: ["vault.test"] });
      expect(filtered.seeded.notSeeded.storageSnapshot).toEqual([
        `storage snapshot not seeded: ${unfilterableSnapshot}`,
      ]);
      expect(await statusOf(filtered, sites, "vault")).toMatchObject({ loggedIn: false });
      await filtered.close({ save: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** Writes `text` to the file `note` of the origin's OPFS, or reads it back (`null`: none). */
const writeNote = (text: string) => `(async () => {
  const root = await navigator.storage.getDirectory();
  const writable = await (await root.getFileHandle("note", { create: true })).createWritable();
  await writable.write(${JSON.stringify(text)});
  await writable.close();
  return true;
})()`;
const readNote = `(async () => {
  const root = await navigator.storage.getDirectory();
  try { return await (await (await root.getFileHandle("note")).getFile()).text(); } catch { return null; }
})()`;

describe("a session's save refreshes the storage snapshot", () => {
  const world = useSessionWorld();

  it("keeps each session's OPFS and non-extractable keys for the next one; the last save wins", async () => {
    const { sites } = world;
    const envId = await world.createEnvironment("refreshed snapshot");

    const first = await world.open(envId);
    await logIn(first, sites, "vault");
    const firstReceipt = await first.close();
    expect(firstReceipt.saved?.snapshot).toEqual({
      outcome: "replaced",
      reason: "this session's storage snapshot is the environment's first",
    });

    const second = await world.open(envId);
    expect(await statusOf(second, sites, "vault")).toEqual({ loggedIn: true, user: "alice@vault" });
    expect(await evaluateAt(second, `${sites.origins.vault}/`, writeNote("written by session 2"))).toBe(true);
    await logIn(second, sites, "signer");
    const secondReceipt = await second.close();
    expect(secondReceipt.saved?.snapshot).toEqual({
      outcome: "replaced",
      reason: "this session's fresh storage snapshot replaced the head's",
    });
    // The CryptoKey travels in the snapshot: the capture reports nothing dropped for it.
    expect(secondReceipt.captured?.warnings).toEqual([]);

    const third = await world.open(envId);
    expect(third.seeded.notSeeded.storageSnapshot).toEqual([]);
    expect(await evaluateAt(third, `${sites.origins.vault}/`, readNote)).toBe("written by session 2");
    expect(await statusOf(third, sites, "vault")).toEqual({ loggedIn: true, user: "alice@vault" });
    expect(await statusOf(third, sites, "signer")).toMatchObject({ loggedIn: true, user: "alice@signer" });
    await third.close({ save: false });
  });

  it("a session not seeded from the snapshot keeps it, or drops it when it changed IndexedDB it carries", async () => {
    const { sites } = world;
    const envId = await world.createEnvironment("unrefreshed snapshot");
    const first = await world.open(envId);
    await logIn(first, sites, "signer");
    await logIn(first, sites, "vault");
    expect((await first.close()).saved?.snapshot?.outcome).toBe("replaced");

    // A domain filter seeds no snapshot: this session cannot refresh it, and changed nothing it carries.
    const untouched = await world.open(envId, { onlyDomains: ["vault.test"] });
    const kept = await untouched.close();
    expect(kept.saved?.snapshot?.outcome).toBe("kept");
    expect(kept.saved?.snapshot?.reason).toMatch(
      /^kept as it was: this session was not seeded from the storage snapshot \(storage snapshot not seeded: a domain filter is on.*changed none of the IndexedDB it carries/,
    );

    // This one enrols a new signing key: the head's snapshot would bring back the old one over it.
    const relogged = await world.open(envId, { onlyDomains: ["signer.test"] });
    await logIn(relogged, sites, "signer");
    const dropped = await relogged.close();
    expect(dropped.saved?.snapshot?.outcome).toBe("dropped");
    expect(dropped.saved?.snapshot?.reason).toContain(
      `it would override the newer IndexedDB this session saved for ${sites.origins.signer}`,
    );
    const version = await world.environments.loadVersion(userId, envId);
    expect(version.profileFiles.filter((file) => file.path.startsWith(storageSnapshotFolder))).toEqual([]);
  });
});
