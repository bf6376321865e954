import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  launchTestChromium,
  logInToSite,
  siteStatus,
  startTestSites,
  type TestChromium,
  type TestSites,
} from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliLaunch, webrunEnv, webrunEnvLaunch } from "../journey/cli.js";

// What page script cannot serialise travels in an environment archive as a
// storage snapshot: `capture --out x.tar.gz` keeps it under profile/, and
// `launch --state x.tar.gz` seeds it before the browser starts.
describe("webrun-env capture → launch: OPFS and a non-extractable CryptoKey", () => {
  let sites: TestSites;
  let dir: string;
  let original: TestChromium | undefined;
  let launched: CliLaunch | undefined;

  beforeAll(async () => {
    sites = await startTestSites();
    dir = await mkdtemp(path.join(tmpdir(), "webrun-cli-snapshot-"));
  });

  afterAll(async () => {
    await Promise.all([original?.close(), launched?.stop()]);
    await sites?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("an archive capture keeps the snapshot, and a launch from it is signed in", async () => {
    original = await launchTestChromium(path.join(dir, "profile"), sites.chromiumArgs);
    for (const site of ["vault", "signer"] as const)
      await logInToSite(original.endpoint, sites.origins, site);
    const archive = path.join(dir, "environment.tar.gz");
    const summary = await webrunEnv(["capture", "--cdp", original.endpoint, "--out", archive]);
    await original.close();
    original = undefined;
    expect(summary).toMatchObject({
      storageSnapshot: {
        folders: ["origin private file system (OPFS)", `IndexedDB of ${sites.origins.signer}`],
      },
      report: { complete: true },
    });

    launched = await webrunEnvLaunch(["--state", archive, "--headless", "--", ...sites.chromiumArgs]);
    const { cdp, pageTargetId } = launched.ready;
    expect(await siteStatus(cdp, sites.origins, "vault", pageTargetId)).toEqual({
      loggedIn: true,
      user: "alice@vault",
    });
    expect(await siteStatus(cdp, sites.origins, "signer", pageTargetId)).toMatchObject({
      loggedIn: true,
      user: "alice@signer",
    });
  });
});
