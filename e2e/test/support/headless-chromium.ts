import { chmod, writeFile } from "node:fs/promises";
import path from "node:path";
import { findChromium } from "@webrun/browser-state";
import type { TestSites } from "@webrun/test-fixtures";

const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

/** A CHROME_PATH that starts the real Chromium headless, with the test sites' host mapping and certificate trust. */
export async function headlessChromium(dir: string, sites: TestSites): Promise<string> {
  const wrapper = path.join(dir, "chromium-headless");
  const args = ["--headless", ...sites.chromiumArgs].map(shellQuote).join(" ");
  await writeFile(wrapper, `#!/bin/sh\nexec ${shellQuote(findChromium())} ${args} "$@"\n`);
  await chmod(wrapper, 0o755);
  return wrapper;
}
