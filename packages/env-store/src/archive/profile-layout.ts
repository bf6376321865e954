import { isProfileDirectoryName } from "./profile-drop-list.js";

/**
 * How an uploaded profile archive is rooted. Users tar either the
 * user-data-dir (`Default/…`, `Local State`) or one profile directory
 * (`Preferences`, `Local Storage/…`), sometimes inside one wrapper folder
 * (`chromium/Default/…`). Everything is normalised to user-data-dir paths.
 */
export interface ProfileLayout {
  kind: "user-data-dir" | "profile-directory";
  /** Leading segments to strip (a wrapper folder), `""` or `"chromium/"`. */
  prefix: string;
}

/** Names found only directly in a profile directory. */
const profileMarkers = new Set([
  "Preferences",
  "Secure Preferences",
  "Local Storage",
  "Session Storage",
  "Extensions",
  "Local Extension Settings",
  "IndexedDB",
  "Cookies",
  "Network",
  "History",
  "Login Data",
  "Web Data",
  "Bookmarks",
]);

/**
 * The layout a path reveals, if any: a user-data-dir marker (`Default`,
 * `Profile N`, `Local State`) or a profile-directory marker at the top or
 * under one wrapper folder. `undefined` when the path says nothing.
 */
export function layoutRevealedBy(relativePath: string): ProfileLayout | undefined {
  const segments = relativePath.split("/");
  for (let depth = 0; depth < Math.min(2, segments.length); depth++) {
    const name = segments[depth] as string;
    const prefix = segments
      .slice(0, depth)
      .map((segment) => `${segment}/`)
      .join("");
    if (isProfileDirectoryName(name) || name === "Local State") return { kind: "user-data-dir", prefix };
    if (profileMarkers.has(name)) return { kind: "profile-directory", prefix };
  }
  return undefined;
}

/** The user-data-dir path of an archive path under `layout`; `undefined` when it lies outside the profile root. */
export function toUserDataDirPath(layout: ProfileLayout, relativePath: string): string | undefined {
  if (!relativePath.startsWith(layout.prefix) || relativePath.length === layout.prefix.length)
    return undefined;
  const inside = relativePath.slice(layout.prefix.length);
  return layout.kind === "profile-directory" ? `Default/${inside}` : inside;
}
