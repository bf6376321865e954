import { connectCdp } from "../cdp/cdp-connection.js";
import { evaluateInSession } from "../cdp/evaluate.js";
import { browserStateError } from "../errors.js";

/** What shows a page is logged in: text in its title, or an element a CSS selector matches. */
export type LoginMarker = { titleContains: string } | { selector: string };

export interface ProbePageOptions {
  /** How long the page may take to load (30 s). */
  loadTimeoutMs?: number;
  /** How long after load the marker may take to appear, for pages that render after their scripts run (5 s). */
  markerWaitMs?: number;
}

/** What the page showed: never its content, only its title, where it ended up, and whether the marker was there. */
export interface PageProbe {
  /** Where the page ended up after redirects (a login page, often, when logged out). */
  url: string;
  title: string;
  matched: boolean;
}

const pollMs = 200;

/**
 * Loads `url` in the tab `targetId` of the browser at `cdpUrl` and looks for
 * the marker until it appears or `markerWaitMs` has passed. A page that
 * cannot be loaded (DNS, refused, TLS, timeout) is `PAGE_UNREACHABLE`; a
 * selector the page cannot parse is `PAGE_SELECTOR_INVALID`.
 */
export async function probePage(
  cdpUrl: string,
  targetId: string,
  url: string,
  marker: LoginMarker,
  options: ProbePageOptions = {},
): Promise<PageProbe> {
  const loadTimeoutMs = options.loadTimeoutMs ?? 30_000;
  const markerWaitMs = options.markerWaitMs ?? 5_000;
  const connection = await connectCdp(cdpUrl);
  try {
    const { sessionId } = await connection.send("Target.attachToTarget", { targetId, flatten: true });
    await connection.send("Page.enable", {}, sessionId);
    let stopWaiting: () => void = () => {};
    const loaded = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(unreachable(url, `it did not finish loading within ${loadTimeoutMs} ms`)),
        loadTimeoutMs,
      );
      const off = connection.onEvent((event) => {
        if (event.method === "Page.loadEventFired" && event.sessionId === sessionId) stopWaiting();
      });
      stopWaiting = () => {
        clearTimeout(timer);
        off();
        resolve();
      };
    });
    const navigation = await connection.send("Page.navigate", { url }, sessionId);
    if (navigation.errorText) {
      stopWaiting();
      throw unreachable(url, navigation.errorText);
    }
    await loaded;
    const check =
      "titleContains" in marker
        ? `document.title.includes(${JSON.stringify(marker.titleContains)})`
        : `(() => { try { return document.querySelector(${JSON.stringify(marker.selector)}) !== null; } catch { return "invalid"; } })()`;
    const deadline = Date.now() + markerWaitMs;
    let matched = await evaluateInSession<boolean | "invalid">(connection, sessionId, check);
    while (matched === false && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      matched = await evaluateInSession<boolean | "invalid">(connection, sessionId, check);
    }
    if (matched === "invalid")
      throw browserStateError({
        kind: "invalid_input",
        code: "PAGE_SELECTOR_INVALID",
        message: `${JSON.stringify("selector" in marker ? marker.selector : "")} is not a valid CSS selector`,
      });
    const [finalUrl, title] = await evaluateInSession<[string, string]>(
      connection,
      sessionId,
      "[location.href, document.title]",
    );
    return { url: finalUrl, title, matched };
  } finally {
    await connection.close();
  }
}

function unreachable(url: string, reason: string) {
  return browserStateError({
    kind: "unavailable",
    code: "PAGE_UNREACHABLE",
    message: `could not load ${url}: ${reason}`,
  });
}
