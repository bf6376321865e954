import { generateKeyPairSync } from "node:crypto";
import { mkdir, realpath, writeFile } from "node:fs/promises";
import path from "node:path";
import CDP from "chrome-remote-interface";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  extensionIdForKey,
  extensionIdForPath,
  inlineFileOpener,
  layoutExtension,
  readExtensionStorage,
  readUnpackedExtension,
  writeExtensionStorage,
} from "../../src/profile/index.js";
import {
  chromiumTestTimeoutMs,
  freshProfileDir,
  killAllTestChromiums,
  launchTestChromium,
  removeDir,
  sleep,
  type TestBrowser,
} from "./chromium-harness.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});
afterAll(() => killAllTestChromiums());

async function tempDir(): Promise<string> {
  const dir = await freshProfileDir();
  dirs.push(dir);
  return dir;
}

/** Writes a minimal MV3 extension with a service worker and the storage permission. */
async function writeExtension(dir: string, extra: Record<string, unknown> = {}): Promise<string> {
  await mkdir(path.join(dir, "lib"), { recursive: true });
  await writeFile(
    path.join(dir, "manifest.json"),
    JSON.stringify({
      manifest_version: 3,
      name: "webrun test extension",
      version: "1.2.3",
      permissions: ["storage"],
      background: { service_worker: "sw.js" },
      ...extra,
    }),
  );
  await writeFile(path.join(dir, "sw.js"), `importScripts("lib/helper.js");\n`);
  await writeFile(path.join(dir, "lib", "helper.js"), `self.helperLoaded = true;\n`);
  return realpath(dir);
}

/** Evaluates `expression` in the extension's service worker; proves Chromium gave it `id`. */
async function inServiceWorker<T>(browser: TestBrowser, id: string, expression: string): Promise<T> {
  const target = await browser.waitForTarget(
    (t) => t.type === "service_worker" && t.url === `chrome-extension://${id}/sw.js`,
  );
  const client = await CDP({ target: target.webSocketDebuggerUrl });
  try {
    // The target shows up before the worker's extension bindings exist.
    const deadline = Date.now() + 10_000;
    const ready = () =>
      client.Runtime.evaluate({
        expression: `typeof chrome === "object" && typeof chrome.storage === "object"`,
        returnByValue: true,
      });
    while ((await ready()).result.value !== true) {
      if (Date.now() > deadline) throw new Error("extension service worker never got chrome.storage");
      await sleep(50);
    }
    const { result, exceptionDetails } = await client.Runtime.evaluate({
      expression,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails)
      throw new Error(`service worker script failed: ${exceptionDetails.exception?.description}`);
    return result.value as T;
  } finally {
    await client.close();
  }
}

const readBothAreas = `Promise.all([chrome.storage.local.get(null), chrome.storage.sync.get(null)]).then(([local, sync]) => JSON.stringify({ local, sync }))`;

const seeded = {
  local: { token: "abc", "ключ 日本": { nested: [1, 2, { deep: true }] }, "": null, count: 42 },
  sync: { theme: "dark", list: ["a", "b"] },
};

describe("extension storage and ids against Chromium 156", { timeout: chromiumTestTimeoutMs }, () => {
  it("storage written offline under extensionIdForPath is what the extension reads", async () => {
    const extensionDir = await writeExtension(await tempDir());
    const profileDir = await tempDir();
    const id = extensionIdForPath(extensionDir);
    await writeExtensionStorage(profileDir, id, "local", seeded.local);
    await writeExtensionStorage(profileDir, id, "sync", seeded.sync);

    const browser = await launchTestChromium(profileDir, [`--load-extension=${extensionDir}`]);
    try {
      expect(JSON.parse(await inServiceWorker<string>(browser, id, readBothAreas))).toEqual(seeded);
    } finally {
      await browser.close();
    }
  });

  it("reads what the extension stored, from both areas", async () => {
    const extensionDir = await writeExtension(await tempDir());
    const profileDir = await tempDir();
    const id = extensionIdForPath(extensionDir);
    const browser = await launchTestChromium(profileDir, [`--load-extension=${extensionDir}`]);
    try {
      await inServiceWorker(
        browser,
        id,
        `Promise.all([chrome.storage.local.set(${JSON.stringify(seeded.local)}), chrome.storage.sync.set(${JSON.stringify(seeded.sync)})]).then(() => true)`,
      );
    } finally {
      await browser.close();
    }
    expect(await readExtensionStorage(profileDir, id)).toEqual(seeded);
  });

  it("extensionIdForKey gives the id Chromium derives from a manifest key, in any folder", async () => {
    const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const key = publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const extensionDir = await writeExtension(await tempDir(), { key });
    const id = extensionIdForKey(key);
    expect(id).not.toBe(extensionIdForPath(extensionDir));
    const browser = await launchTestChromium(await tempDir(), [`--load-extension=${extensionDir}`]);
    try {
      expect(await inServiceWorker<boolean>(browser, id, "self.helperLoaded === true")).toBe(true);
    } finally {
      await browser.close();
    }
  });

  it("a captured extension laid out elsewhere loads under the returned id with its storage", async () => {
    const sourceDir = await writeExtension(await tempDir());
    const captured = await readUnpackedExtension(sourceDir, { inlineFiles: true });
    expect(captured.id).toBe(extensionIdForPath(sourceDir));
    expect(captured.files.map((f) => f.path)).toEqual(["lib/helper.js", "manifest.json", "sw.js"]);

    const targetDir = path.join(await tempDir(), "extensions", "laid-out");
    const { dir, id } = await layoutExtension(captured, targetDir, inlineFileOpener(captured));
    expect(dir).toBe(await realpath(targetDir));
    expect(id).not.toBe(captured.id); // keyless: the id follows the folder
    const profileDir = await tempDir();
    await writeExtensionStorage(profileDir, id, "local", { carried: "over" });

    const browser = await launchTestChromium(profileDir, [`--load-extension=${dir}`]);
    try {
      const read = await inServiceWorker<string>(browser, id, `self.helperLoaded && ${readBothAreas}`);
      expect(JSON.parse(read)).toEqual({ local: { carried: "over" }, sync: {} });
    } finally {
      await browser.close();
    }
  });
});
