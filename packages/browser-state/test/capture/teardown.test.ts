import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCdp, launchChromium, teardownCapture } from "../../src/index.js";
import { type LocalSites, startLocalSites } from "../cdp/local-sites.js";
import { openTestTab } from "../cdp/page-driver.js";
import { writeIndexedDb } from "../cdp/page-scripts.js";

let sites: LocalSites;
let dir: string;

beforeAll(async () => {
  sites = await startLocalSites();
  dir = await mkdtemp(path.join(tmpdir(), "webrun-teardown-"));
});

afterAll(async () => {
  await sites?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("teardownCapture", () => {
  it("reads memory-only state over CDP, closes the browser, then reads localStorage from disk", async () => {
    const browser = await launchChromium({
      userDataDir: path.join(dir, "profile"),
      args: sites.chromiumArgs,
    });
    const connection = await connectCdp(browser.cdpUrl);
    const a = sites.origin("a.test");
    const tab = await openTestTab(connection);
    await tab.goto(`${a}/login`);
    await tab.eval(`localStorage.setItem("a", "disk-a"); sessionStorage.setItem("s", "memory-s")`);
    await tab.eval(writeIndexedDb);
    // d.test wrote localStorage in a tab that is gone: only the profile on disk knows about it.
    const closed = await openTestTab(connection);
    await closed.goto(`${sites.origin("d.test")}/`);
    await closed.eval(`localStorage.setItem("d", "only-on-disk")`);
    await closed.close();
    // b.test's sessionStorage belongs to a tab that has since moved on to c.test.
    const moved = await openTestTab(connection);
    await moved.goto(`${sites.origin("b.test")}/`);
    await moved.eval(`sessionStorage.setItem("b", "left-behind")`);
    await moved.goto(`${sites.origin("c.test")}/`);
    await connection.close();

    const before = sites.requests.length;
    const started = performance.now();
    const { state } = await teardownCapture(browser);
    console.log(`teardown capture: ${(performance.now() - started).toFixed(0)} ms`);
    expect(sites.requests.length).toBe(before);
    expect(() => process.kill(browser.pid, 0)).toThrow();

    const byOrigin = (host: string) => state.origins.find((origin) => origin.origin === sites.origin(host));
    expect(byOrigin("a.test")).toMatchObject({
      localStorage: [{ name: "a", value: "disk-a" }],
      sessionStorage: [{ name: "s", value: "memory-s" }],
      indexedDB: [{ name: "app", version: 3 }],
    });
    expect(byOrigin("d.test")?.localStorage).toEqual([{ name: "d", value: "only-on-disk" }]);
    expect(byOrigin("b.test")?.sessionStorage).toEqual([{ name: "b", value: "left-behind" }]);
    expect(state.cookies.find((cookie) => cookie.name === "sid")).toMatchObject({ session: true });
  }, 30_000);

  it("takes a storage snapshot of the closed profile when asked; one it cannot write is a warning, not a failure", {
    timeout: 60_000,
  }, async () => {
    const run = async (profile: string, into: string) => {
      const browser = await launchChromium({
        userDataDir: path.join(dir, profile),
        args: sites.chromiumArgs,
      });
      const connection = await connectCdp(browser.cdpUrl);
      const tab = await openTestTab(connection);
      await tab.goto(`${sites.origin("a.test")}/login`);
      await tab.eval(`(async () => {
        const file = await (await navigator.storage.getDirectory()).getFileHandle("token", { create: true });
        const writable = await file.createWritable();
        await writable.write("opfs-token");
        await writable.close();
      })()`);
      await connection.close();
      return teardownCapture(browser, { storageSnapshotDir: into });
    };
    const taken = await run("snapshot-profile", path.join(dir, "snapshot"));
    expect(taken.snapshotMissing).toBeUndefined();
    expect(taken.snapshot?.folders.map((folder) => folder.label)).toContain(
      "origin private file system (OPFS)",
    );
    expect(taken.report.warnings).toEqual([]);

    // A file where the snapshot's folder should be: nothing can be written under it.
    const blocked = path.join(dir, "blocked");
    await writeFile(blocked, "");
    const missed = await run("blocked-profile", path.join(blocked, "snapshot"));
    expect(missed.snapshot).toBeUndefined();
    expect(missed.snapshotMissing).toBe("copying the profile's storage folders failed (ENOTDIR)");
    expect(missed.report.warnings).toEqual([
      "no storage snapshot (service workers, Cache Storage, OPFS, IndexedDB values JSON cannot carry): copying the profile's storage folders failed (ENOTDIR)",
    ]);
    expect(missed.report.complete).toBe(false);
  });
});
