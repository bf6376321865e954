import path from "node:path";
import { cliError } from "../errors.js";

/** The browsers whose default profile folders `import-chrome --profile-dir <browser>:<profile>` knows. */
export const knownBrowsers = ["chrome", "chromium", "edge", "brave"] as const;
export type KnownBrowser = (typeof knownBrowsers)[number];

/**
 * Each browser's default user-data-dir, below the platform's base folder:
 * `$XDG_CONFIG_HOME` (Linux), `~/Library/Application Support` (macOS),
 * `%LOCALAPPDATA%` (Windows). From each vendor's documentation
 * (chromium.googlesource.com/chromium/src/+/main/docs/user_data_dir.md and
 * the Edge and Brave equivalents).
 */
const userDataDirs: Record<"linux" | "darwin" | "win32", Record<KnownBrowser, readonly string[]>> = {
  linux: {
    chrome: ["google-chrome"],
    chromium: ["chromium"],
    edge: ["microsoft-edge"],
    brave: ["BraveSoftware", "Brave-Browser"],
  },
  darwin: {
    chrome: ["Google", "Chrome"],
    chromium: ["Chromium"],
    edge: ["Microsoft Edge"],
    brave: ["BraveSoftware", "Brave-Browser"],
  },
  win32: {
    chrome: ["Google", "Chrome", "User Data"],
    chromium: ["Chromium", "User Data"],
    edge: ["Microsoft", "Edge", "User Data"],
    brave: ["BraveSoftware", "Brave-Browser", "User Data"],
  },
};

/** Where the profile lookup runs: the platform, the home folder and the environment (for XDG and LOCALAPPDATA). */
export interface ProfileHost {
  platform: NodeJS.Platform;
  homeDir: string;
  env: NodeJS.ProcessEnv;
}

const browserSpec = /^([a-z]{2,}):(.*)$/i;

/**
 * The profile folder `--profile-dir` names: a path as given, or
 * `<browser>:<profile>` (`chrome:Default`, `edge:Profile 1`) resolved to that
 * browser's default location on this platform. Other platforms (the BSDs)
 * use the Linux folders, as Chromium does.
 */
export function resolveProfileDir(value: string, host: ProfileHost): string {
  const spec = browserSpec.exec(value);
  if (spec === null) return value;
  const [, name = "", profile = ""] = spec;
  const browser = knownBrowsers.find((known) => known === name.toLowerCase());
  if (browser === undefined) {
    throw profileSpecError(
      `unknown browser ${JSON.stringify(name)} in --profile-dir ${JSON.stringify(value)}: give ${knownBrowsers.map((b) => `${b}:<profile>`).join(", ")} or a folder`,
    );
  }
  if (profile === "" || profile === "." || profile === ".." || /[\\/]/.test(profile)) {
    throw profileSpecError(
      `--profile-dir ${JSON.stringify(value)} needs a profile folder name after the colon, e.g. ${browser}:Default or ${browser}:Profile 1`,
    );
  }
  const platform = host.platform === "darwin" || host.platform === "win32" ? host.platform : "linux";
  const join = platform === "win32" ? path.win32.join : path.posix.join;
  return join(baseDir(platform, host), ...userDataDirs[platform][browser], profile);
}

function baseDir(platform: "linux" | "darwin" | "win32", { homeDir, env }: ProfileHost): string {
  if (platform === "darwin") return path.posix.join(homeDir, "Library", "Application Support");
  if (platform === "win32") return env.LOCALAPPDATA || path.win32.join(homeDir, "AppData", "Local");
  // XDG: a relative XDG_CONFIG_HOME is invalid and ignored.
  const xdg = env.XDG_CONFIG_HOME;
  return xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(homeDir, ".config");
}

function profileSpecError(message: string) {
  return cliError({ kind: "invalid_input", code: "PROFILE_DIR_INVALID", message });
}
