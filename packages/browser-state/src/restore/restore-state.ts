import type { BrowserState, StateReport } from "@webrun/state";
import { listInstalledExtensions } from "../capture/extensions.js";
import { connectCdp } from "../cdp/cdp-connection.js";
import { writeCookies } from "../cdp/cookies.js";
import { InterceptedTab } from "../cdp/intercepted-tab.js";
import { seedReport } from "../report/seed-report.js";
import { verifySeededCookies } from "../report/seeded-cookies.js";
import { writeLiveExtensionStorage } from "./extension-storage-live.js";
import { needsVisit, writeOriginsThroughTab } from "./restore-origins.js";

export interface RestoreOptions {
  /**
   * The tab to restore sessionStorage into (sessionStorage belongs to one
   * tab). Without it, a new tab is opened for it and left open on
   * about:blank; its id is returned.
   */
  pageTargetId?: string;
}

export interface RestoreResult {
  cookies: number;
  /** Origins whose storage was written (each visited once, in one intercepted tab). */
  origins: number;
  /** The tab holding the restored sessionStorage, when there was any. */
  pageTargetId?: string;
  /** Extensions of the state whose storage was written because the browser has them installed. */
  extensionsRestored: string[];
  /** Extensions not restored: not installed (a running browser cannot be given files) or worker asleep. */
  extensionsMissing: string[];
  /** What the browser holds of the state, read back, and what it dropped with the reasons. */
  report: StateReport;
}

const allParts = { localStorage: true, sessionStorage: true, indexedDB: true };

/**
 * Restores a state into an already running browser over CDP alone: cookies
 * on the browser session, then every origin's localStorage, sessionStorage
 * and IndexedDB through ONE intercepted tab that visits the origins in turn
 * (no request reaches a real server), then `chrome.storage` of extensions
 * the browser already has installed.
 */
export async function restoreState(
  endpoint: string,
  state: BrowserState,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const connection = await connectCdp(endpoint);
  try {
    await writeCookies(connection, state.cookies);
    const hasSessionStorage = state.origins.some((origin) => origin.sessionStorage.length > 0);
    let pageTargetId = options.pageTargetId;
    if (hasSessionStorage && pageTargetId === undefined) {
      ({ targetId: pageTargetId } = await connection.send("Target.createTarget", { url: "about:blank" }));
    }
    let origins = 0;
    if (state.origins.some((origin) => needsVisit(origin, allParts))) {
      const tab = await InterceptedTab.open(
        connection,
        hasSessionStorage && pageTargetId !== undefined ? { targetId: pageTargetId } : {},
      );
      try {
        origins = await writeOriginsThroughTab(tab, state.origins, allParts);
      } finally {
        await tab.close();
      }
    }
    const installed = new Set((await listInstalledExtensions(connection)).map((extension) => extension.id));
    const extensionsRestored: string[] = [];
    const extensionsMissing: string[] = [];
    for (const extension of state.extensions) {
      if (!installed.has(extension.id)) {
        extensionsMissing.push(extension.id);
        continue;
      }
      if (await writeLiveExtensionStorage(connection, extension.id, extension.storage)) {
        extensionsRestored.push(extension.id);
      } else {
        extensionsMissing.push(extension.id);
      }
    }
    const report = seedReport(state, await verifySeededCookies(connection, state.cookies), {
      extensionsDropped: {
        reason: "chrome.storage not restored: not installed in this browser, or its service worker is asleep",
        count: extensionsMissing.length,
        examples: extensionsMissing.slice(0, 5),
      },
      passkeysDropped: {
        reason:
          "not restored: a virtual authenticator lives only as long as the DevTools session that added it; launch a seeded browser (launch, session) for passkeys",
        count: state.webauthn?.credentials.length ?? 0,
      },
    });
    return {
      cookies: state.cookies.length,
      origins,
      ...(hasSessionStorage && pageTargetId !== undefined ? { pageTargetId } : {}),
      extensionsRestored,
      extensionsMissing,
      report,
    };
  } finally {
    await connection.close();
  }
}
