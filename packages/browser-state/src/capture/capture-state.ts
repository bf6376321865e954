import { rm } from "node:fs/promises";
import {
  BROWSER_STATE_VERSION,
  type BrowserState,
  browserStateSchema,
  originSchema,
  type StateReport,
  storageKeyOf,
} from "@webrun/state";
import { type CdpConnection, connectCdp } from "../cdp/cdp-connection.js";
import { readAllCookies } from "../cdp/cookies.js";
import { InterceptedTab } from "../cdp/intercepted-tab.js";
import { chromiumMajorOf } from "../chromium/chromium-version.js";
import { browserStateError } from "../errors.js";
import type { StorageKeyParts } from "../profile/index.js";
import { originsWithUnsupportedValues } from "../report/unsupported-values.js";
import { indexedDbOriginOf, type SnapshotManifest } from "../snapshot/snapshot-manifest.js";
import { takeStorageSnapshot } from "../snapshot/take-snapshot.js";
import { CaptureNotes } from "./capture-notes.js";
import { captureExtensions } from "./extensions.js";
import { findUserDataDir } from "./find-user-data-dir.js";
import { readOpenPages } from "./open-pages.js";
import { OriginStateMap } from "./origin-state-map.js";
import {
  indexedDbOriginsOfProfile,
  localStorageOfLiveProfile,
  sessionStorageOfLiveProfile,
} from "./profile-origins.js";
import { type PageStorage, readStorageExpression } from "./read-storage-script.js";

export interface CaptureOptions {
  /** Origins to read even if nothing else points at them. */
  origins?: readonly string[];
  /**
   * The browser's user-data-dir: its leveldb and IndexedDB folders name the
   * origins beyond open tabs and their (50-entry) history. Found by asking
   * the browser when not given; when it cannot be read from here the
   * report says so.
   */
  profileDir?: string;
  /** Installed unpacked extensions with files and storage (default true). */
  includeExtensions?: boolean;
  /** Inline extension file bytes into the document (for a standalone `.json`; default false). */
  inlineExtensionFiles?: boolean;
  /** Told where each captured extension's files are (to stream them into an archive). */
  onExtensionFolder?: (extensionId: string, dir: string) => void;
  /**
   * An empty folder to write a storage snapshot into (see `takeStorageSnapshot`):
   * service workers and Cache Storage, OPFS, and the IndexedDB folders of
   * origins holding values typed JSON cannot carry, copied from the
   * browser's user-data-dir. Needs that folder to be readable from here.
   */
  storageSnapshotDir?: string;
}

const readWithoutSession = readStorageExpression({
  localStorage: true,
  sessionStorage: false,
  indexedDB: true,
});

/** A captured state and what the capture could not read or keep. */
export interface CaptureResult {
  state: BrowserState;
  report: StateReport;
  /** The storage snapshot written into `storageSnapshotDir`; absent when there was nothing to keep or no profile to read. */
  snapshot?: SnapshotManifest;
  /** Why no storage snapshot was taken although one was asked for (also among the report's warnings). */
  snapshotMissing?: string;
}

/**
 * Captures a running browser over CDP: every cookie, the storage of every
 * origin it can find (open tabs and their frames, history, the profile's
 * Local Storage, Session Storage and IndexedDB folders, the caller's list),
 * and installed unpacked extensions. Origins without an open tab are read in
 * one intercepted tab: no request reaches a real server. If the browser goes
 * away midway this rejects — there is no partial result. The report is
 * `complete` only when every source was read and nothing was dropped.
 */
export async function captureState(endpoint: string, options: CaptureOptions = {}): Promise<CaptureResult> {
  checkedOrigins(options.origins ?? []);
  const connection = await connectCdp(endpoint);
  try {
    return await captureFromConnection(connection, options);
  } finally {
    await connection.close();
  }
}

/** {@link captureState} on a connection the caller keeps. */
export async function captureFromConnection(
  connection: CdpConnection,
  options: CaptureOptions = {},
): Promise<CaptureResult> {
  const notes = new CaptureNotes();
  const { cookies, dropped: cookiesDropped } = await readAllCookies(connection);
  notes.cookiesDropped.push(...cookiesDropped);
  const origins = new OriginStateMap();
  const { historyOrigins, originsWithAuthenticator, unansweredOrigins } = await readOpenPages(
    connection,
    origins,
  );
  notes.passkeysUnreadable(originsWithAuthenticator);
  const profileDir = options.profileDir ?? (await userDataDirOrWarning(connection, notes));
  notes.tabsUnanswered(
    unansweredOrigins,
    profileDir
      ? "their localStorage and IndexedDB were read in a background tab and their sessionStorage from the profile on disk"
      : "their localStorage and IndexedDB were read in a background tab and their sessionStorage is not captured",
  );

  const candidates: StorageKeyParts[] = [
    ...checkedOrigins(options.origins ?? []).map((origin) => ({ origin })),
    ...historyOrigins.map((origin) => ({ origin })),
  ];
  const onDisk = profileDir ? await localStorageOfLiveProfile(profileDir, notes) : [];
  if (profileDir) {
    candidates.push(...(await indexedDbOriginsOfProfile(profileDir)).map((origin) => ({ origin })));
    // Partitioned keys are visited too: it is the only way to find their IndexedDB.
    candidates.push(...onDisk.filter((stored) => stored.topLevelSite !== undefined));
  }
  await readThroughInterceptedTab(connection, origins, candidates, notes);
  // Every other origin on disk has no document left that could hold unsaved
  // writes (open tabs were read live, history was visited, a closed tab's
  // storage is written when it closes): its localStorage is read from the copy.
  for (const stored of onDisk) {
    if (!origins.has(stored)) origins.add(stored, { localStorage: stored.localStorage });
  }
  if (profileDir) {
    for (const stored of await sessionStorageOfLiveProfile(profileDir, notes)) {
      origins.add(stored, { sessionStorage: stored.sessionStorage });
    }
  }

  const extensions =
    options.includeExtensions === false
      ? []
      : await captureExtensions(connection, {
          inlineFiles: options.inlineExtensionFiles === true,
          ...(profileDir ? { profileDir } : {}),
          notes,
          ...(options.onExtensionFolder ? { onExtensionFolder: options.onExtensionFolder } : {}),
        });
  const state = browserStateSchema.parse({
    version: BROWSER_STATE_VERSION,
    capturedAt: new Date().toISOString(),
    source: { product: connection.product, userAgent: connection.userAgent },
    cookies,
    origins: origins.toArray(),
    extensions,
  });
  const snapshot =
    options.storageSnapshotDir === undefined
      ? {}
      : await snapshotOrWarning(connection.product, state, profileDir, options.storageSnapshotDir, notes);
  return { state, report: notes.report(state), ...snapshot };
}

/**
 * Takes the storage snapshot from the browser's profile, or says why not
 * (a warning, and `snapshotMissing`); a snapshot that failed midway is
 * removed rather than left half-written.
 */
export async function snapshotOrWarning(
  product: string,
  state: BrowserState,
  profileDir: string | undefined,
  into: string,
  notes: CaptureNotes,
): Promise<Pick<CaptureResult, "snapshot" | "snapshotMissing">> {
  const chromiumMajor = chromiumMajorOf(product);
  if (profileDir === undefined || chromiumMajor === undefined) {
    const missing =
      profileDir === undefined
        ? "the browser's user-data-dir is not readable here"
        : `the browser's version is unknown (${product.slice(0, 100)})`;
    notes.warn(
      `no storage snapshot (service workers, Cache Storage, OPFS, IndexedDB values JSON cannot carry): ${missing}`,
    );
    return { snapshotMissing: missing };
  }
  const indexedDbOrigins = originsWithUnsupportedValues(state)
    .filter((origin) => origin.topLevelSite === undefined)
    .map((origin) => origin.origin);
  let snapshot: SnapshotManifest | undefined;
  try {
    snapshot = await takeStorageSnapshot(profileDir, into, { chromiumMajor, indexedDbOrigins });
  } catch (error) {
    // Best effort: a folder that could not be written may not be removable either.
    await rm(into, { recursive: true, force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    const missing = `copying the profile's storage folders failed (${code ?? (error instanceof Error ? error.message : "error")})`;
    notes.warn(
      `no storage snapshot (service workers, Cache Storage, OPFS, IndexedDB values JSON cannot carry): ${missing}`,
    );
    return { snapshotMissing: missing };
  }
  for (const folder of snapshot?.folders ?? []) {
    const origin = indexedDbOriginOf(folder.folder);
    if (origin !== undefined) notes.indexedDbInSnapshot.add(origin);
  }
  return snapshot ? { snapshot } : {};
}

/** The browser's own user-data-dir when this machine can read it; else a warning naming what was tried. */
async function userDataDirOrWarning(
  connection: CdpConnection,
  notes: CaptureNotes,
): Promise<string | undefined> {
  const found = await findUserDataDir(connection);
  if (found.dir === undefined) {
    notes.warn(
      "origins beyond open tabs and their last 50 history entries were not looked for: the browser's " +
        `user-data-dir is not readable here (searched: ${found.searched.join("; ")}); pass profileDir (--profile-dir) to read them`,
    );
  }
  return found.dir;
}

/**
 * Reads localStorage and IndexedDB of storage keys not read yet, visiting
 * each in one intercepted tab. A key that cannot be read (its visit or
 * script failed or timed out) is named in the notes and the others are
 * still read; only a browser that went away ends it.
 */
export async function readThroughInterceptedTab(
  connection: CdpConnection,
  into: OriginStateMap,
  candidates: readonly StorageKeyParts[],
  notes: CaptureNotes,
  expression = readWithoutSession,
): Promise<void> {
  const seen = new Set<string>();
  const pending = candidates.filter((key) => {
    const id = storageKeyOf(key);
    if (into.has(key) || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
  if (pending.length === 0) return;
  const tab = await InterceptedTab.open(connection);
  try {
    for (const key of pending) {
      try {
        const sessionId = await tab.visit(key);
        const json = await tab.evaluate<string>(sessionId, expression);
        into.add(key, JSON.parse(json) as PageStorage);
      } catch (error) {
        if (connection.isClosed) throw error;
        notes.storageKeyUnread(key, error);
      }
    }
  } finally {
    await tab.close();
  }
}

/** The caller's extra origins, refused before any browser work when one is not an origin. */
function checkedOrigins(origins: readonly string[]): string[] {
  const issues = origins.flatMap((origin, index) => {
    const result = originSchema.safeParse(origin);
    return result.success
      ? []
      : [{ path: `origins.${index}`, message: result.error.issues[0]?.message ?? "invalid" }];
  });
  if (issues.length > 0) {
    throw browserStateError({
      kind: "invalid_input",
      code: "CAPTURE_ORIGIN_INVALID",
      message: `${issues[0]?.path}: ${issues[0]?.message}`,
      issues,
    });
  }
  return [...origins];
}
