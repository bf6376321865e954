/**
 * What a Chrome user-data-dir holds, read without a browser: the origins
 * with localStorage and the installed extensions of each profile directory
 * (`Default`, `Profile 1`, …). Reads only `<profile>/Local Storage/leveldb`
 * and `<profile>/Extensions/<id>/<version>/manifest.json` (with the
 * `_locales/<default_locale>/messages.json` a localised name needs), so a
 * caller may hand it a directory holding just those files, e.g. what
 * env-store spooled from a profile upload.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { listLocalStorageOrigins } from "./local-storage.js";

export interface ProfileInspection {
  /** Origins with localStorage (`META:` rows), sorted; partitioned storage counts for its own origin. */
  origins: string[];
  /** Sorted by id; the highest version when several are installed. */
  extensions: InspectedExtension[];
  /** What could not be read (the rest of the inspection still stands). */
  warnings: string[];
}

export interface InspectedExtension {
  id: string;
  /** The manifest's name, localised from `default_locale` when it is `__MSG_…__`. */
  name: string;
  version: string;
}

/** Manifests and locale files are small; a larger one is not read. */
const MAX_DOCUMENT_BYTES = 1024 * 1024;

export async function inspectProfile(userDataDir: string): Promise<ProfileInspection> {
  const warnings = new Set<string>();
  const origins = new Set<string>();
  const extensions = new Map<string, InspectedExtension>();
  for (const profile of (await subdirectories(userDataDir)).sort()) {
    const profileDir = path.join(userDataDir, profile);
    try {
      for (const { origin } of await listLocalStorageOrigins(
        path.join(profileDir, "Local Storage", "leveldb"),
      ))
        origins.add(origin);
    } catch {
      warnings.add(`Local Storage of ${profile} could not be read as a leveldb: origins not listed`);
    }
    for (const extension of await readInstalledExtensions(path.join(profileDir, "Extensions"), warnings)) {
      const existing = extensions.get(extension.id);
      if (existing === undefined || compareVersions(extension.version, existing.version) > 0)
        extensions.set(extension.id, extension);
    }
  }
  return {
    origins: [...origins].sort(),
    extensions: [...extensions.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
    warnings: [...warnings],
  };
}

/** `Extensions/<id>/<version>/manifest.json`, one entry per installed version. */
async function readInstalledExtensions(
  extensionsDir: string,
  warnings: Set<string>,
): Promise<InspectedExtension[]> {
  const found: InspectedExtension[] = [];
  for (const id of await subdirectories(extensionsDir)) {
    for (const version of await subdirectories(path.join(extensionsDir, id))) {
      const dir = path.join(extensionsDir, id, version);
      const manifestBytes = await readSmallFile(path.join(dir, "manifest.json"));
      if (manifestBytes === undefined) continue;
      const manifest = parseJsonObject(manifestBytes);
      if (manifest === undefined) {
        warnings.add(`extension ${id}: manifest.json is not a JSON object`);
        continue;
      }
      const rawName = typeof manifest.name === "string" ? manifest.name : id;
      const locale = typeof manifest.default_locale === "string" ? manifest.default_locale : undefined;
      found.push({
        id,
        name: (await localised(rawName, dir, locale)).slice(0, 256),
        version: typeof manifest.version === "string" ? manifest.version.slice(0, 64) : "",
      });
    }
  }
  return found;
}

/** Resolves `__MSG_name__` from `_locales/<locale>/messages.json`, matching keys case-insensitively as Chrome does. */
async function localised(text: string, extensionDir: string, locale: string | undefined): Promise<string> {
  const match = /^__MSG_(\w+)__$/.exec(text);
  if (match === null || locale === undefined || /[/\\]|^\.\.?$/.test(locale)) return text;
  const bytes = await readSmallFile(path.join(extensionDir, "_locales", locale, "messages.json"));
  const messages = bytes === undefined ? undefined : parseJsonObject(bytes);
  const wanted = (match[1] as string).toLowerCase();
  for (const [messageKey, value] of Object.entries(messages ?? {})) {
    if (messageKey.toLowerCase() !== wanted) continue;
    const message = (value as { message?: unknown } | null)?.message;
    if (typeof message === "string") return message;
  }
  return text;
}

async function subdirectories(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
}

/** A regular file of at most {@link MAX_DOCUMENT_BYTES}; `undefined` when absent or larger. */
async function readSmallFile(file: string): Promise<Buffer | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile() || info.size > MAX_DOCUMENT_BYTES) return undefined;
  return readFile(file);
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    // Chrome accepts a UTF-8 BOM in extension JSON files.
    const parsed: unknown = JSON.parse(bytes.toString("utf8").replace(/^\uFEFF/, ""));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Chrome extension versions are 1–4 dot-separated integers. */
function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0 && !Number.isNaN(difference)) return difference;
  }
  return 0;
}
