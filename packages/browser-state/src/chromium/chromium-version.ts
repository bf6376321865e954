import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { findChromium } from "./find-chromium.js";

const versionNumber = /(\d+)\.\d+\.\d+\.\d+/;

/** The major version in a product or `--version` string (`HeadlessChrome/156.0.8078.114` → 156). */
export function chromiumMajorOf(text: string): number | undefined {
  const match = versionNumber.exec(text);
  return match ? Number(match[1]) : undefined;
}

/**
 * The major version of the Chromium at `executablePath`, from its
 * `--version` (about 0.1 s): what a profile must be written for before
 * that browser starts.
 */
export async function installedChromiumMajor(executablePath = findChromium()): Promise<number | undefined> {
  const { stdout } = await promisify(execFile)(executablePath, ["--version"], { timeout: 10_000 });
  return chromiumMajorOf(stdout);
}
