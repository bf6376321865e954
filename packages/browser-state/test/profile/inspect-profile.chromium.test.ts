import { cp, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectProfile } from "../../src/profile/index.js";
import {
  chromiumTestTimeoutMs,
  freshProfileDir,
  killAllTestChromiums,
  launchTestChromium,
  openPage,
  removeDir,
  startTestSite,
  type TestSite,
} from "./chromium-harness.js";

const EXTENSION_ID = "ghbmnnjooekpmoecnnnilnnbdlolhkhi";
const OTHER_ID = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

let site: TestSite;
let userDataDir: string;

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, typeof value === "string" ? value : JSON.stringify(value));
}

beforeAll(async () => {
  site = await startTestSite();
  userDataDir = await freshProfileDir();
  const browser = await launchTestChromium(userDataDir);
  try {
    const page = await openPage(browser);
    for (const host of ["a.test", "b.test"]) {
      await page.navigate(site.url(host));
      await page.evaluate(`localStorage.setItem("visited", location.origin)`);
    }
    await page.close();
  } finally {
    await browser.close();
  }
  // Web Store extensions live in <profile>/Extensions/<id>/<version>; many have a localised name.
  const extensions = path.join(userDataDir, "Default", "Extensions");
  await writeJson(path.join(extensions, EXTENSION_ID, "1.2.3_0", "manifest.json"), {
    name: "__MSG_appName__",
    version: "1.2.3",
    default_locale: "en",
    manifest_version: 3,
  });
  await writeJson(path.join(extensions, EXTENSION_ID, "1.2.3_0", "_locales", "en", "messages.json"), {
    APPNAME: { message: "Localised Name" },
  });
  await writeJson(path.join(extensions, EXTENSION_ID, "1.10.0_0", "manifest.json"), {
    name: "__MSG_appName__",
    version: "1.10.0",
    default_locale: "../../..",
  });
  await writeJson(path.join(extensions, OTHER_ID, "1_0", "manifest.json"), "\uFEFF[not an object]");
}, chromiumTestTimeoutMs);

afterAll(async () => {
  killAllTestChromiums();
  await site?.close();
  await removeDir(userDataDir);
});

describe("inspectProfile", () => {
  it("lists a real Chromium profile's localStorage origins and its extensions, the highest version each", async () => {
    const inspection = await inspectProfile(userDataDir);
    expect(inspection.origins).toEqual(
      [site.url("a.test"), site.url("b.test")].map((url) => new URL(url).origin),
    );
    expect(inspection.extensions).toEqual([{ id: EXTENSION_ID, name: "__MSG_appName__", version: "1.10.0" }]);
    expect(inspection.warnings).toEqual([`extension ${OTHER_ID}: manifest.json is not a JSON object`]);
  });

  it("resolves a localised name, and reads a folder holding only the files it needs", async () => {
    const only = await freshProfileDir();
    try {
      const version = path.join(userDataDir, "Default", "Extensions", EXTENSION_ID, "1.2.3_0");
      await cp(version, path.join(only, "Profile 2", "Extensions", EXTENSION_ID, "1.2.3_0"), {
        recursive: true,
      });
      await mkdir(path.join(only, "Default", "Local Storage", "leveldb"), { recursive: true });
      await writeFile(path.join(only, "Default", "Local Storage", "leveldb", "CURRENT"), "garbage");
      const inspection = await inspectProfile(only);
      expect(inspection).toEqual({
        origins: [],
        extensions: [{ id: EXTENSION_ID, name: "Localised Name", version: "1.2.3" }],
        warnings: ["Local Storage of Default could not be read as a leveldb: origins not listed"],
      });
    } finally {
      await removeDir(only);
    }
  });
});
