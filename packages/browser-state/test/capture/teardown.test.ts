import { mkdtemp, rm } from "node:fs/promises";
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
});
