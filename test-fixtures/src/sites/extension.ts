import { createHash } from "node:crypto";
import { cp, readFile, realpath, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { testPassword } from "./accounts.js";
import { BrowserDriver } from "./browser-driver.js";
import type { SiteStatus } from "./status.js";

/** An unpacked MV3 extension on disk and the id Chromium gives it. */
export interface TestExtension {
  dir: string;
  id: string;
}

/**
 * The test extension (MV3, a service worker that keeps a sign-in in
 * `chrome.storage.local`). Its manifest carries a `key`, so its id is the
 * same wherever the folder lies.
 */
export const testExtension: TestExtension = {
  // Same depth from src/sites and dist/sites.
  dir: fileURLToPath(new URL("../../extensions/webrun-test-extension", import.meta.url)),
  id: "knibeplkickbhabaomkjlambgafijcem",
};

/** Chromium's id of an unpacked extension without a key: SHA-256 of its absolute path, hex mapped to a–p. */
export function unpackedExtensionId(absolutePath: string): string {
  const hex = createHash("sha256").update(absolutePath).digest("hex").slice(0, 32);
  return [...hex].map((digit) => String.fromCharCode(97 + Number.parseInt(digit, 16))).join("");
}

/** Copies the test extension into `parentDir/<name>` without its manifest key: its id then depends on that path. */
export async function copyTestExtensionWithoutKey(
  parentDir: string,
  name = "webrun-test-extension-keyless",
): Promise<TestExtension> {
  const dir = join(await realpath(parentDir), name);
  await cp(testExtension.dir, dir, { recursive: true });
  const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Record<string, unknown>;
  delete manifest.key;
  manifest.name = "webrun test extension (no key)";
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return { dir, id: unpackedExtensionId(dir) };
}

/** The user the test extension is signed in as. */
export const testExtensionUser = "alice@extension";

/** Signs in through the extension's own login page; its service worker stores the session. */
export async function logInToTestExtension(
  endpoint: string,
  extensionId: string,
  pageTargetId?: string,
): Promise<void> {
  const driver = await BrowserDriver.connect(endpoint, pageTargetId);
  try {
    const url = `chrome-extension://${extensionId}/login.html`;
    await driver.goto(url);
    await driver.submitLogin(testExtensionUser, testPassword);
    await driver.status(url, (status) => status.loggedIn);
  } finally {
    await driver.close();
  }
}

/** The extension's answer to "am I logged in?", read by its own page from `chrome.storage.local`. */
export async function checkTestExtension(
  endpoint: string,
  extensionId: string,
  pageTargetId?: string,
): Promise<SiteStatus> {
  const driver = await BrowserDriver.connect(endpoint, pageTargetId);
  try {
    return await driver.statusAt(`chrome-extension://${extensionId}/status.html`);
  } finally {
    await driver.close();
  }
}
