import type { OriginState } from "@webrun/state";
import type { CdpConnection, CdpEvent } from "../cdp/cdp-connection.js";

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
 * For the life of `connection`, every new tab (`Target.createTarget`, a
 * `window.open`, a user's new tab) of an origin with captured first-party
 * sessionStorage sees it before its first script runs: new tab targets are
 * auto-attached paused before their first navigation, their page is given
 * the seed script, then they go on. A tab gets each origin's items once
 * (once it has shown that origin the script forgets it, so a logout in the
 * tab stays a logout), and only into an empty sessionStorage. Partitioned
 * (iframe) sessionStorage is not carried into new tabs. Returns a function
 * that stops watching.
 */
export async function seedSessionStorageInNewTabs(
  connection: CdpConnection,
  origins: readonly OriginState[],
): Promise<() => void> {
  const items: SeedItems = {};
  for (const origin of origins) {
    if (origin.topLevelSite !== undefined || origin.sessionStorage.length === 0) continue;
    items[origin.origin] = origin.sessionStorage.map((item) => [item.name, item.value]);
  }
  if (Object.keys(items).length === 0) return () => undefined;
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

  /** A document of this origin has run the script: the tab has had its turn at it. */
  const shown = (sessionId: string, frame: { parentId?: string; securityOrigin: string }): void => {
    const page = pages.get(sessionId);
    if (page === undefined || frame.parentId !== undefined || !(frame.securityOrigin in page.pending)) return;
    delete page.pending[frame.securityOrigin];
    install(sessionId, page);
  };

  /**
   * Prepares a page just attached under its paused tab, then lets both go
   * once the seed script is in. A popup with an opener goes on at once: its
   * opener waits for it, so its page cannot answer before, and Chromium gives
   * it a copy of the opener's sessionStorage anyway.
   */
  const watchPage = (sessionId: string, tabSessionId: string, hasOpener: boolean): void => {
    const page: WatchedPage = { pending: { ...items } };
    pages.set(sessionId, page);
    // New-document scripts run only where the Page domain is on; frameNavigated tells which origin a tab shows.
    connection.send("Page.enable", {}, sessionId).catch(ignoreGone);
    install(sessionId, page);
    const resume = () => {
      connection.send("Runtime.runIfWaitingForDebugger", {}, sessionId).catch(ignoreGone);
      connection.send("Runtime.runIfWaitingForDebugger", {}, tabSessionId).catch(ignoreGone);
    };
    if (hasOpener) resume();
    else void page.scriptId?.then(resume);
    // A tab opened on a URL may have its first document before Page events are
    // on: once that document has parsed (the script ran in it), its origin is done.
    page.scriptId
      ?.then(() =>
        connection.send(
          "Runtime.evaluate",
          { expression: documentOriginOnceParsed, awaitPromise: true, returnByValue: true },
          sessionId,
        ),
      )
      .then(({ result }) => {
        if (typeof result.value === "string") shown(sessionId, { securityOrigin: result.value });
      })
      .catch(ignoreGone);
  };

  const off = connection.onEvent((event: CdpEvent) => {
    if (event.method === "Target.attachedToTarget") {
      const { sessionId, targetInfo } = event.params;
      if (targetInfo.type === "tab" && event.sessionId === undefined) {
        // A tab is paused before its first navigation; its page is attached through it.
        connection
          .send(
            "Target.setAutoAttach",
            { autoAttach: true, waitForDebuggerOnStart: false, flatten: true },
            sessionId,
          )
          .catch(() => connection.send("Runtime.runIfWaitingForDebugger", {}, sessionId))
          .catch(ignoreGone);
      } else if (targetInfo.type === "page" && event.sessionId !== undefined) {
        watchPage(sessionId, event.sessionId, targetInfo.canAccessOpener);
      }
    } else if (event.method === "Target.detachedFromTarget") {
      pages.delete(event.params.sessionId);
    } else if (event.method === "Page.frameNavigated" && event.sessionId !== undefined) {
      // The document of this origin has run the script: the tab has had its turn at it.
      const page = pages.get(event.sessionId);
      const { frame } = event.params;
      if (page === undefined || frame.parentId !== undefined || !(frame.securityOrigin in page.pending))
        return;
      delete page.pending[frame.securityOrigin];
      install(event.sessionId, page);
    }
  });
  await connection.send("Target.setAutoAttach", {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: true,
    filter: [{ type: "tab", exclude: false }],
  });
  return () => {
    off();
    connection
      .send("Target.setAutoAttach", { autoAttach: false, waitForDebuggerOnStart: false })
      .catch(ignoreGone);
  };
}
