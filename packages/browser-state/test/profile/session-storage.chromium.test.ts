import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readProfileStorage, readSessionStorage } from "../../src/profile/index.js";
import {
  chromiumTestTimeoutMs,
  freshProfileDir,
  killAllTestChromiums,
  launchTestChromium,
  openPage,
  removeDir,
  sortEntries,
  startTestSite,
  type TestSite,
} from "./chromium-harness.js";

let site: TestSite;
let dir: string;

beforeAll(async () => {
  site = await startTestSite();
});
afterEach(async () => {
  await removeDir(dir);
});
afterAll(async () => {
  killAllTestChromiums();
  await site.close();
});

describe("sessionStorage Chromium 156 wrote is read from the profile", {
  timeout: chromiumTestTimeoutMs,
}, () => {
  it("merges tabs per origin (the newer tab's map wins a shared key) and keeps partitioned storage", async () => {
    dir = await freshProfileDir();
    const browser = await launchTestChromium(dir);
    try {
      const first = await openPage(browser);
      await first.navigate(site.url("a.test"));
      await first.evaluate(`
        sessionStorage.setItem("shared", "from the first tab");
        sessionStorage.setItem("only-first", "1");
        sessionStorage.setItem("日本 é", "UTF-16 value 語 \\udc00");
        sessionStorage.setItem("", "empty key");
        localStorage.setItem("local", "too");`);
      expect(
        await first.frameStorage(site.url("b.test", "/frame"), [["framed", "yes"]], "sessionStorage"),
      ).toEqual([["framed", "yes"]]);
      const second = await openPage(browser, { newTab: true });
      await second.navigate(site.url("a.test"));
      await second.evaluate(
        `sessionStorage.setItem("shared", "from the second tab"); sessionStorage.setItem("only-second", "2")`,
      );
      await first.close();
      await second.close();
    } finally {
      await browser.close();
    }

    const origins = await readSessionStorage(dir);
    const a = origins.find(
      (o) => o.origin === new URL(site.url("a.test")).origin && o.topLevelSite === undefined,
    );
    expect(sortEntries((a?.sessionStorage ?? []).map((i) => [i.name, i.value]))).toEqual(
      sortEntries([
        ["shared", "from the second tab"],
        ["only-first", "1"],
        ["only-second", "2"],
        ["日本 é", "UTF-16 value 語 \udc00"],
        ["", "empty key"],
      ]),
    );
    expect(a?.localStorage).toEqual([]);
    const merged = await readProfileStorage(dir);
    const mergedA = merged.find((o) => o.origin === a?.origin && o.topLevelSite === undefined);
    expect(mergedA?.localStorage).toEqual([{ name: "local", value: "too" }]);
    expect(mergedA?.sessionStorage).toEqual(a?.sessionStorage);
    const framed = origins.find((o) => o.topLevelSite === "http://a.test");
    expect(framed?.origin).toBe(new URL(site.url("b.test")).origin);
    expect(framed?.sessionStorage).toEqual([{ name: "framed", value: "yes" }]);
  });
});
