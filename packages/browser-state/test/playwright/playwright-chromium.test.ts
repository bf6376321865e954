import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fromPlaywrightStorageState, toPlaywrightStorageState } from "@webrun/state";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumTestTimeoutMs, startTestSite, type TestSite } from "../profile/chromium-harness.js";

let site: TestSite;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  site = await startTestSite();
  dir = await mkdtemp(path.join(os.tmpdir(), "webrun-playwright-test-"));
  browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP *.test 127.0.0.1"],
  });
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

const writeIndexedDb = `new Promise((resolve, reject) => {
  const open = indexedDB.open("app", 2);
  open.onupgradeneeded = () => {
    open.result.createObjectStore("kv");
    open.result.createObjectStore("people", { keyPath: "id" }).createIndex("byName", "name");
  };
  open.onsuccess = () => {
    const tx = open.result.transaction(["kv", "people"], "readwrite");
    tx.objectStore("kv").put({ when: new Date(86400000), tags: new Set(["x"]) }, "session");
    tx.objectStore("kv").put("plain", new Date(1000));
    tx.objectStore("people").put({ id: 7, name: "Ada" });
    tx.oncomplete = () => { open.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
  open.onerror = () => reject(open.error);
})`;

const readIndexedDb = `new Promise((resolve, reject) => {
  const open = indexedDB.open("app");
  open.onsuccess = () => {
    const tx = open.result.transaction(["kv", "people"]);
    const session = tx.objectStore("kv").get("session");
    const byDate = tx.objectStore("kv").get(new Date(1000));
    const ada = tx.objectStore("people").index("byName").get("Ada");
    tx.oncomplete = () => resolve({
      when: session.result.when instanceof Date ? session.result.when.getTime() : "not a Date",
      tags: [...session.result.tags],
      byDate: byDate.result,
      ada: ada.result,
    });
    tx.onerror = () => reject(tx.error);
  };
  open.onerror = () => reject(open.error);
})`;

describe("a storageState file written by playwright-core against Chromium 156", {
  timeout: chromiumTestTimeoutMs,
}, () => {
  it("converts to a BrowserState and back into a context that sees the same state", async () => {
    const origin = new URL(site.url("a.test")).origin;
    const source = await browser.newContext();
    const page = await source.newPage();
    await page.goto(site.url("a.test", "/set-cookies"));
    // Page scripts as text: this package compiles without the DOM library.
    await page.evaluate(`
      localStorage.setItem("token", "abc");
      localStorage.setItem("日本", "語 😀");
      localStorage.setItem("", "empty key");
      sessionStorage.setItem("lost", "in conversion");`);
    await page.evaluate(writeIndexedDb);
    const file = path.join(dir, "state.json");
    await source.storageState({ path: file, indexedDB: true });
    await source.close();

    const state = fromPlaywrightStorageState(JSON.parse(await readFile(file, "utf8")));
    const cookies = Object.fromEntries(state.cookies.map((c) => [c.name, c]));
    expect(cookies.sid).toMatchObject({ value: "server-secret", httpOnly: true, session: true, expires: -1 });
    expect(cookies.pref).toMatchObject({ value: "dark", session: false, sameSite: "Strict" });
    expect(cookies.pref?.expires).toBeGreaterThan(Date.now() / 1000 + 3000);
    const a = state.origins.find((o) => o.origin === origin);
    expect(a?.localStorage).toEqual(
      expect.arrayContaining([
        { name: "token", value: "abc" },
        { name: "日本", value: "語 😀" },
        { name: "", value: "empty key" },
      ]),
    );
    expect(a?.sessionStorage).toEqual([]);
    const kv = a?.indexedDB[0]?.objectStores.find((s) => s.name === "kv");
    expect(kv?.records).toEqual(
      expect.arrayContaining([
        { key: { $type: "Date", value: 1000 }, value: "plain" },
        {
          key: "session",
          value: { when: { $type: "Date", value: 86400000 }, tags: { $type: "Set", values: ["x"] } },
        },
      ]),
    );
    const people = a?.indexedDB[0]?.objectStores.find((s) => s.name === "people");
    expect(people).toMatchObject({ keyPath: "id", records: [{ key: 7, value: { id: 7, name: "Ada" } }] });

    const restored = await browser.newContext({ storageState: toPlaywrightStorageState(state) });
    try {
      const again = await restored.newPage();
      await again.goto(site.url("a.test"));
      expect(await again.evaluate(`localStorage.getItem("日本")`)).toBe("語 😀");
      expect(await again.evaluate(`localStorage.getItem("")`)).toBe("empty key");
      expect(await again.evaluate(readIndexedDb)).toEqual({
        when: 86400000,
        tags: ["x"],
        byDate: "plain",
        ada: { id: 7, name: "Ada" },
      });
      const restoredCookies = await restored.cookies();
      expect(restoredCookies.find((c) => c.name === "sid")).toMatchObject({ httpOnly: true, expires: -1 });
      expect(restoredCookies.find((c) => c.name === "pref")?.sameSite).toBe("Strict");
    } finally {
      await restored.close();
    }
  });
});
