import type { OriginState } from "@webrun/state";
import type { CdpConnection, CdpEvent } from "../cdp/cdp-connection.js";
import type { AttachedPage, TabSeeder } from "../cdp/every-tab.js";

type SeedItems = Record<string, [string, string][]>;

/**
 * The script each new document of a watched tab runs before its own: in a
 * top-level document of an origin still to seed in this tab, it fills an
 * EMPTY sessionStorage with the captured items. Run into a document that
 * already has content (its first navigation outran the script's
 * registration, so the page's own scripts may have run without the items),
 * it reloads that document once; the reload finds sessionStorage filled.
 */
function seedScript(items: SeedItems): string {
  return `(() => {
  if (window !== window.top) return;
  const items = ${JSON.stringify(items)}[location.origin];
  if (!items) return;
  try {
    if (sessionStorage.length !== 0) return;
    for (const [name, value] of items) sessionStorage.setItem(name, value);
  } catch { return; }
  if (document.documentElement !== null) location.reload();
})()`;
}

/** The current top-level document's origin, once it has parsed. */
const documentOriginOnceParsed = `new Promise((resolve) => document.readyState === "loading"
  ? addEventListener("DOMContentLoaded", () => resolve(location.origin), { once: true })
  : resolve(location.origin))`;

/** One watched page: the origins it has not shown yet and the script that seeds them. */
interface WatchedPage {
  pending: SeedItems;
  scriptId?: Promise<string | undefined>;
}

/**
 * Prepares every tab (see `seedEveryTab`) so that a page of an origin with
 * captured first-party sessionStorage sees it before its first script runs.
 * A tab gets each origin's items once (once it has shown that origin the
 * script forgets it, so a logout in the tab stays a logout), and only into
 * an empty sessionStorage. Partitioned (iframe) sessionStorage is not
 * carried into new tabs. `undefined` when there is nothing to seed.
 */
export function sessionStorageSeeder(
  connection: CdpConnection,
  origins: readonly OriginState[],
): TabSeeder | undefined {
  const items: SeedItems = {};
  for (const origin of origins) {
    if (origin.topLevelSite !== undefined || origin.sessionStorage.length === 0) continue;
    items[origin.origin] = origin.sessionStorage.map((item) => [item.name, item.value]);
  }
  if (Object.keys(items).length === 0) return undefined;
  const pages = new Map<string, WatchedPage>();
  // A target may close, or the browser go, while it is being prepared: nothing is left to seed then.
  const ignoreGone = () => undefined;

  /** Replaces the page's seed script with one for the origins still pending. */
  const install = (sessionId: string, page: WatchedPage): void => {
    const previous = page.scriptId;
    page.scriptId = (async () => {
      const identifier = await previous;
      if (identifier !== undefined) {
        await connection.send("Page.removeScriptToEvaluateOnNewDocument", { identifier }, sessionId);
      }
      if (Object.keys(page.pending).length === 0) return undefined;
      const added = await connection.send(
        "Page.addScriptToEvaluateOnNewDocument",
        // Also into the document the page has now, which can be its first one.
        { source: seedScript(page.pending), runImmediately: true },
        sessionId,
      );
      return added.identifier;
    })().catch(ignoreGone);
  };

  /** A top-level document of this origin has run the script: the tab has had its turn at it. */
  const shown = (sessionId: string, frame: { parentId?: string; securityOrigin: string }): void => {
    const page = pages.get(sessionId);
    if (page === undefined || frame.parentId !== undefined || !(frame.securityOrigin in page.pending)) return;
    delete page.pending[frame.securityOrigin];
    install(sessionId, page);
  };

  /**
   * A page is ready to go on once its seed script is in. (A popup with an
   * opener goes on at once, see `seedEveryTab`: Chromium gives it a copy of
   * the opener's sessionStorage anyway.)
   */
  const prepare = async ({ sessionId }: AttachedPage): Promise<void> => {
    const page: WatchedPage = { pending: { ...items } };
    pages.set(sessionId, page);
    // New-document scripts run only where the Page domain is on; frameNavigated tells which origin a tab shows.
    connection.send("Page.enable", {}, sessionId).catch(ignoreGone);
    install(sessionId, page);
    await page.scriptId;
    // A tab opened on a URL may have its first document before Page events are
    // on: once that document has parsed (the script ran in it), its origin is done.
    connection
      .send(
        "Runtime.evaluate",
        { expression: documentOriginOnceParsed, awaitPromise: true, returnByValue: true },
        sessionId,
      )
      .then(({ result }) => {
        if (typeof result.value === "string") shown(sessionId, { securityOrigin: result.value });
      })
      .catch(ignoreGone);
  };

  const off = connection.onEvent((event: CdpEvent) => {
    if (event.method === "Page.frameNavigated" && event.sessionId !== undefined) {
      shown(event.sessionId, event.params.frame);
    }
  });
  return {
    prepare,
    forget: (sessionId) => pages.delete(sessionId),
    stop: off,
  };
}
