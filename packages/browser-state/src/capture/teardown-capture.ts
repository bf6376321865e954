import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isWebrunError } from "@webrun/errors";
import { BROWSER_STATE_VERSION, browserStateSchema, type ExtensionState } from "@webrun/state";
import { type CdpConnection, connectCdp } from "../cdp/cdp-connection.js";
import { readAllCookies } from "../cdp/cookies.js";
import type { LaunchedBrowser } from "../chromium/launch-chromium.js";
import { killProcessGroup } from "../chromium/process-group.js";
import { browserStateError } from "../errors.js";
import {
  localStorageDir,
  readExtensionStorage,
  readLocalStorage,
  readSessionStorage,
  sessionStorageDir,
} from "../profile/index.js";
import type { SeededBrowser } from "../seed/launch-seeded.js";
import { CaptureNotes } from "./capture-notes.js";
import { type CaptureResult, readThroughInterceptedTab, snapshotOrWarning } from "./capture-state.js";
import { captureExtensions } from "./extensions.js";
import { readOpenPages } from "./open-pages.js";
import { OriginStateMap } from "./origin-state-map.js";
import { indexedDbOriginsOfProfile } from "./profile-origins.js";
import { readStorageExpression } from "./read-storage-script.js";

export interface TeardownOptions {
  /** Installed unpacked extensions with files and storage (default true). */
  includeExtensions?: boolean;
  inlineExtensionFiles?: boolean;
  /** How long the browser may take to exit after `Browser.close`. Default 10 s. */
  closeTimeoutMs?: number;
  /**
   * An empty folder to write a fresh storage snapshot into (see
   * `takeStorageSnapshot`), taken from the closed profile — consistent
   * then — whenever it holds service workers, OPFS or IndexedDB values
   * typed JSON cannot carry; the result's `snapshot` (or `snapshotMissing`,
   * with a warning in the report, when it could not be taken).
   */
  storageSnapshotDir?: string;
}

/** A browser whose profile directory the caller owns; a seeded one may hold passkeys too. */
export type OwnedBrowser = LaunchedBrowser | SeededBrowser | { cdpUrl: string; userDataDir: string };

const readIndexedDbOnly = readStorageExpression({
  localStorage: false,
  sessionStorage: false,
  indexedDB: true,
});

/**
 * The fast capture at the end of a session, for a browser whose profile
 * the caller owns: what lives only in the running browser (cookies,
 * sessionStorage, IndexedDB) over CDP; then `Browser.close`, which flushes
 * the profile; then localStorage and extension storage straight from its
 * leveldbs — no per-origin navigation for localStorage at all. Passkeys
 * come from the virtual authenticators of a seeded browser (only its owner
 * can read them). The report says what could not be kept, and why. The browser
 * is closed when this resolves, whether or not it succeeded; a browser with
 * a `close()` (ours) is also cleaned up by it afterwards, so a
 * `launchSeeded` profile is removed only once it has been read.
 */
export async function teardownCapture(
  browser: OwnedBrowser,
  options: TeardownOptions = {},
): Promise<CaptureResult> {
  const owned = "connection" in browser ? (browser.connection as CdpConnection) : undefined;
  const connection = owned ?? (await connectCdp(browser.cdpUrl));
  let closed = false;
  const closeBrowser = async () => {
    if (closed) return;
    closed = true;
    await shutDown(browser, connection, options.closeTimeoutMs ?? 10_000);
  };
  try {
    const notes = new CaptureNotes();
    const { cookies, dropped: cookiesDropped } = await readAllCookies(connection);
    notes.cookiesDropped.push(...cookiesDropped);
    const passkeys = "passkeys" in browser && browser.passkeys ? await browser.passkeys() : undefined;
    if (passkeys) notes.passkeysDropped.push(passkeys.dropped);
    const origins = new OriginStateMap();
    const { originsWithAuthenticator, unansweredOrigins } = await readOpenPages(connection, origins);
    // With authenticators of our own every tab sees one; without, one another client added is unreadable.
    if (!passkeys) notes.passkeysUnreadable(originsWithAuthenticator);
    notes.tabsUnanswered(
      unansweredOrigins,
      "their IndexedDB was read in a background tab and their localStorage and sessionStorage from the profile once the browser closed",
    );
    const idbOrigins = await indexedDbOriginsOfProfile(browser.userDataDir);
    await readThroughInterceptedTab(
      connection,
      origins,
      idbOrigins.map((origin) => ({ origin })),
      notes,
      readIndexedDbOnly,
    );
    const extensions: ExtensionState[] =
      options.includeExtensions === false
        ? []
        : await captureExtensions(connection, {
            inlineFiles: options.inlineExtensionFiles === true,
            storageFromDiskOnly: true,
            notes,
          });
    const { product, userAgent } = connection;

    await closeBrowser();
    for (const stored of await whenUnlocked(localStorageDir(browser.userDataDir), () =>
      readLocalStorage(browser.userDataDir, { onUnsupportedStorageKey: notes.unsupportedStorageKey }),
    )) {
      origins.setLocalStorage(stored, stored.localStorage);
    }
    // sessionStorage of origins a tab has navigated away from lives on only in
    // the tab's namespace, which Chromium writes to disk on close.
    for (const stored of await whenUnlocked(sessionStorageDir(browser.userDataDir), () =>
      readSessionStorage(browser.userDataDir, { onUnsupportedStorageKey: notes.unsupportedStorageKey }),
    )) {
      origins.add(stored, { sessionStorage: stored.sessionStorage });
    }
    for (const extension of extensions) {
      extension.storage = await readExtensionStorage(browser.userDataDir, extension.id);
    }
    const state = browserStateSchema.parse({
      version: BROWSER_STATE_VERSION,
      capturedAt: new Date().toISOString(),
      source: { product, userAgent },
      cookies,
      origins: origins.toArray(),
      extensions,
      ...(passkeys ? { webauthn: passkeys.webauthn } : {}),
    });
    const snapshot =
      options.storageSnapshotDir === undefined
        ? {}
        : await snapshotOrWarning(product, state, browser.userDataDir, options.storageSnapshotDir, notes);
    return { state, report: notes.report(state), ...snapshot };
  } finally {
    await closeBrowser().catch(() => undefined);
    // Ours to end: kill a straggler, remove a temporary profile (launchSeeded's close does).
    if ("close" in browser) await browser.close().catch(() => undefined);
  }
}

/**
 * `Browser.close` (Chromium flushes the profile), then wait for the process
 * to exit — or, for a browser that is not ours, for the websocket to drop.
 * The profile is not removed here: it is read next.
 */
async function shutDown(browser: OwnedBrowser, connection: CdpConnection, timeoutMs: number): Promise<void> {
  await connection.send("Browser.close").catch(() => undefined);
  const gone = "exited" in browser ? browser.exited : connection.closed;
  const exited = await Promise.race([gone.then(() => true), sleep(timeoutMs).then(() => false)]);
  await connection.close();
  if (!exited) {
    // Killing it would lose its last writes: the profile can no longer be trusted.
    if ("pid" in browser) killProcessGroup(browser.pid);
    throw browserStateError({
      kind: "unavailable",
      code: "BROWSER_CLOSE_TIMEOUT",
      message: `the browser did not close within ${timeoutMs} ms; its profile may miss recent writes`,
    });
  }
}

/**
 * Reads a leveldb of the closed profile. A folder Chromium created but never
 * committed a database to (no `CURRENT`) holds nothing; the lock may outlive
 * the websocket for a moment, so a locked one is retried briefly.
 */
async function whenUnlocked<T>(leveldbDir: string, read: () => Promise<T[]>): Promise<T[]> {
  if (!existsSync(path.join(leveldbDir, "CURRENT"))) return [];
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!isWebrunError(error, "PROFILE_LOCKED") || Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
