import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { type ProfileHost, resolveProfileDir } from "../src/chrome-import/browser-profiles.js";

const linux: ProfileHost = { platform: "linux", homeDir: "/home/ada", env: {} };
const mac: ProfileHost = { platform: "darwin", homeDir: "/Users/ada", env: {} };
const windows: ProfileHost = {
  platform: "win32",
  homeDir: "C:\\Users\\ada",
  env: { LOCALAPPDATA: "C:\\Users\\ada\\AppData\\Local" },
};

describe("resolveProfileDir", () => {
  it("finds each browser's default profile folders on Linux, under XDG_CONFIG_HOME when it is set", () => {
    expect(resolveProfileDir("chrome:Default", linux)).toBe("/home/ada/.config/google-chrome/Default");
    expect(resolveProfileDir("chromium:Profile 1", linux)).toBe("/home/ada/.config/chromium/Profile 1");
    expect(resolveProfileDir("edge:Default", linux)).toBe("/home/ada/.config/microsoft-edge/Default");
    expect(resolveProfileDir("brave:Default", linux)).toBe(
      "/home/ada/.config/BraveSoftware/Brave-Browser/Default",
    );
    expect(resolveProfileDir("chrome:Default", { ...linux, env: { XDG_CONFIG_HOME: "/cfg" } })).toBe(
      "/cfg/google-chrome/Default",
    );
    // A relative XDG_CONFIG_HOME is invalid by the XDG spec, and ignored as Chromium does.
    expect(resolveProfileDir("chrome:Default", { ...linux, env: { XDG_CONFIG_HOME: "cfg" } })).toBe(
      "/home/ada/.config/google-chrome/Default",
    );
  });

  it("finds them on macOS under Application Support", () => {
    const base = "/Users/ada/Library/Application Support";
    expect(resolveProfileDir("chrome:Default", mac)).toBe(`${base}/Google/Chrome/Default`);
    expect(resolveProfileDir("chromium:Default", mac)).toBe(`${base}/Chromium/Default`);
    expect(resolveProfileDir("edge:Profile 2", mac)).toBe(`${base}/Microsoft Edge/Profile 2`);
    expect(resolveProfileDir("brave:Default", mac)).toBe(`${base}/BraveSoftware/Brave-Browser/Default`);
  });

  it("finds them on Windows under LOCALAPPDATA (or the home folder's AppData\\Local), in User Data", () => {
    const base = "C:\\Users\\ada\\AppData\\Local";
    expect(resolveProfileDir("chrome:Default", windows)).toBe(`${base}\\Google\\Chrome\\User Data\\Default`);
    expect(resolveProfileDir("chromium:Default", windows)).toBe(`${base}\\Chromium\\User Data\\Default`);
    expect(resolveProfileDir("edge:Profile 1", windows)).toBe(
      `${base}\\Microsoft\\Edge\\User Data\\Profile 1`,
    );
    expect(resolveProfileDir("brave:Default", windows)).toBe(
      `${base}\\BraveSoftware\\Brave-Browser\\User Data\\Default`,
    );
    expect(resolveProfileDir("chrome:Default", { ...windows, env: {} })).toBe(
      `${base}\\Google\\Chrome\\User Data\\Default`,
    );
  });

  it("takes the browser name in any case, and a folder (also a Windows drive path) as it is", () => {
    expect(resolveProfileDir("Chrome:Default", linux)).toBe("/home/ada/.config/google-chrome/Default");
    expect(resolveProfileDir("/tmp/profiles/Default", linux)).toBe("/tmp/profiles/Default");
    expect(resolveProfileDir("C:\\profiles\\Default", windows)).toBe("C:\\profiles\\Default");
  });

  it("refuses an unknown browser and a missing or path-like profile name, naming the problem", () => {
    const refused = (value: string) => {
      try {
        resolveProfileDir(value, linux);
      } catch (error) {
        expect(isWebrunError(error, "PROFILE_DIR_INVALID")).toBe(true);
        return (error as Error).message;
      }
      throw new Error(`${value} was accepted`);
    };
    expect(refused("firefox:default")).toMatch(/^unknown browser "firefox".*chrome:<profile>/);
    expect(refused("chrome:")).toMatch(/needs a profile folder name after the colon, e\.g\. chrome:Default/);
    expect(refused("chrome:../../etc")).toMatch(/needs a profile folder name/);
    expect(refused("edge:..")).toMatch(/needs a profile folder name/);
  });
});
