/**
 * What is left out of a stored Chrome profile: caches Chromium rebuilds on
 * its own, crash dumps, and the lock files of a running browser (restoring
 * `SingletonLock` would make the next Chromium believe the profile is in
 * use). leveldb `LOCK` files are empty and recreated on open, so dropping
 * them is harmless. Extensions' own files are never dropped, whatever they
 * are called. The one list both the environment packer and the profile
 * upload ingester apply; paths are relative to the user-data-dir.
 */

/** Entries directly in the user-data-dir. */
const userDataDirDrops = new Set([
  "SingletonLock",
  "SingletonCookie",
  "SingletonSocket",
  "DevToolsActivePort",
  "RunningChromeVersion",
  "Crashpad",
  "Crash Reports",
  "BrowserMetrics",
  "ShaderCache",
  "GrShaderCache",
  "GraphiteDawnCache",
  "GPUPersistentCache",
  "component_crx_cache",
  "extensions_crx_cache",
]);

/** Entries directly in a profile directory (`Default`, `Profile 1`, …). */
const profileDrops = new Set([
  "Cache",
  "Code Cache",
  "GPUCache",
  "DawnCache",
  "DawnGraphiteCache",
  "DawnWebGPUCache",
  "GraphiteDawnCache",
  "GPUPersistentCache",
  "Media Cache",
  "Service Worker/CacheStorage",
  "Service Worker/ScriptCache",
]);

/** Plain files dropped wherever they are, outside extension folders. */
const fileNameDrops = new Set(["LOCK", "lockfile"]);

/** `Default`, `Profile 3`, `Guest Profile`, `System Profile`: the directories that hold one profile each. */
export function isProfileDirectoryName(name: string): boolean {
  return (
    name === "Default" || /^Profile \d+$/.test(name) || name === "Guest Profile" || name === "System Profile"
  );
}

/** Whether `relativePath` (under the user-data-dir, `/`-separated) is left out of a stored profile. */
export function isDroppedProfilePath(relativePath: string): boolean {
  const segments = relativePath.split("/");
  const [top, second, third] = segments;
  if (top === undefined) return false;
  if (userDataDirDrops.has(top) || top.startsWith("BrowserMetrics")) return true;
  if (isProfileDirectoryName(top) && second !== undefined) {
    if (second === "Extensions") return false;
    if (profileDrops.has(second) || (third !== undefined && profileDrops.has(`${second}/${third}`)))
      return true;
  }
  const last = segments[segments.length - 1];
  return last !== undefined && fileNameDrops.has(last);
}

/** The drop list, for documentation and diagnostics. */
export const droppedProfileEntries = {
  userDataDir: [...userDataDirDrops, "BrowserMetrics*"],
  profile: [...profileDrops],
  fileNames: [...fileNameDrops],
} as const;
