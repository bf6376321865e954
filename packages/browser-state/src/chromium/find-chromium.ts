import { accessSync, constants } from "node:fs";
import path from "node:path";
import { browserStateError } from "../errors.js";

/** Names Chromium goes by on Linux and macOS package managers, most specific first. */
const candidateNames = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"];

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium binary to launch: `CHROME_PATH` when set (it must be
 * executable), else the first of the usual names on `PATH`. Throws an
 * `unavailable` error saying how to fix it otherwise.
 */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.CHROME_PATH?.trim();
  if (configured) {
    if (isExecutable(configured)) return configured;
    throw browserStateError({
      kind: "unavailable",
      code: "CHROMIUM_NOT_FOUND",
      message: `CHROME_PATH=${configured} is not an executable file`,
    });
  }
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  for (const name of candidateNames) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (isExecutable(file)) return file;
    }
  }
  throw browserStateError({
    kind: "unavailable",
    code: "CHROMIUM_NOT_FOUND",
    message: `no Chromium found on PATH (looked for ${candidateNames.join(", ")}); set CHROME_PATH to the browser binary or install it with: apt-get install chromium`,
  });
}
