import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { captureState, storageSnapshotFolder } from "@webrun/browser-state";
import { launchTestChromium, logInToSite } from "@webrun/test-fixtures";
import { describe, expect, it } from "vitest";
import { unfilterableSnapshot } from "../src/seed-plan.js";
import { statusOf, userId, useSessionWorld } from "./support/session-world.js";

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
