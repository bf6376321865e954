import { browserStateError } from "../errors.js";
import type { StorageKeyParts } from "../profile/index.js";
import type { CdpConnection, CdpEvent, CdpMethod, CdpParams } from "./cdp-connection.js";
import { evaluateInSession } from "./evaluate.js";

/**
 * The document every intercepted request gets. The `data:` icon stops the
 * late `/favicon.ico` request that would otherwise escape to the real server.
 */
const emptyDocument = '<!doctype html><html><head><link rel="icon" href="data:,"></head><body></body></html>';

function documentWithFrame(frameUrl: string): string {
  const src = frameUrl.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><iframe src="${src}"></iframe></body></html>`;
}

const autoAttach = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };
const visitTimeoutMs = 10_000;

interface ChildFrame {
  sessionId: string;
  url: string;
}

/**
 * A tab whose every request is answered by us (`Fetch.fulfillRequest`), so
 * it can "visit" any origin — or any origin inside any top-level site, for
 * partitioned storage — and run storage scripts there while no request
 * reaches a real server. One tab visits many storage keys in turn: on two
 * cores, sequential navigation in one tab beats parallel tabs.
 */
export class InterceptedTab {
  private readonly children = new Map<string, ChildFrame>();
  private childWaiters: Array<() => void> = [];
  private unsubscribe: () => void = () => undefined;
  /** Served as the top document when visiting a partitioned storage key. */
  private frameForTop: { topUrl: string; frameUrl: string } | undefined;
  /** `http://` documents being visited: their automatic HTTPS upgrade must fail so the visit stays on http. */
  private readonly plainHttpVisits = new Set<string>();

  private constructor(
    private readonly connection: CdpConnection,
    readonly targetId: string,
    readonly sessionId: string,
    private readonly ownsTarget: boolean,
  ) {}

  /**
   * Opens a new background tab, or adopts `targetId` (an existing page the
   * caller keeps afterwards, e.g. to hand over sessionStorage in it).
   */
  static async open(
    connection: CdpConnection,
    options: { targetId?: string; browserContextId?: string } = {},
  ): Promise<InterceptedTab> {
    const ownsTarget = options.targetId === undefined;
    const targetId =
      options.targetId ??
      (
        await connection.send("Target.createTarget", {
          url: "about:blank",
          background: true,
          ...(options.browserContextId ? { browserContextId: options.browserContextId } : {}),
        })
      ).targetId;
    const { sessionId } = await connection.send("Target.attachToTarget", { targetId, flatten: true });
    const tab = new InterceptedTab(connection, targetId, sessionId, ownsTarget);
    tab.unsubscribe = connection.onEvent((event) => tab.onEvent(event));
    await Promise.all([
      connection.send("Page.enable", {}, sessionId),
      interceptPastServiceWorkers(connection, sessionId),
      connection.send("Target.setAutoAttach", autoAttach, sessionId),
    ]);
    return tab;
  }

  private ownsSession(sessionId: string | undefined): boolean {
    return sessionId === this.sessionId || (sessionId !== undefined && this.children.has(sessionId));
  }

  private onEvent(event: CdpEvent): void {
    if (!this.ownsSession(event.sessionId)) return;
    const send = <M extends CdpMethod>(method: M, params: CdpParams<M>, sessionId = event.sessionId) =>
      this.connection.send(method, params, sessionId).catch(() => undefined);
    switch (event.method) {
      case "Fetch.requestPaused": {
        const { requestId, request, resourceType } = event.params;
        if (
          resourceType === "Document" &&
          this.plainHttpVisits.has(request.url.replace(/^https:/, "http:"))
        ) {
          if (request.url.startsWith("https:")) {
            // Chromium's HTTPS-Upgrades try https first for a plain-http site; refusing it makes
            // Chromium fall back to http, which is the origin whose storage we want.
            void send("Fetch.failRequest", { requestId, errorReason: "ConnectionRefused" });
            return;
          }
        }
        const isTopDocument =
          resourceType === "Document" &&
          this.frameForTop !== undefined &&
          request.url === this.frameForTop.topUrl &&
          event.sessionId === this.sessionId;
        const html =
          isTopDocument && this.frameForTop ? documentWithFrame(this.frameForTop.frameUrl) : emptyDocument;
        void send("Fetch.fulfillRequest", {
          requestId,
          responseCode: resourceType === "Document" ? 200 : 204,
          responseHeaders: [
            { name: "Content-Type", value: "text/html; charset=utf-8" },
            { name: "Cache-Control", value: "no-store" },
          ],
          body: resourceType === "Document" ? Buffer.from(html).toString("base64") : "",
        });
        return;
      }
      case "Target.attachedToTarget": {
        const { sessionId, targetInfo, waitingForDebugger } = event.params;
        this.children.set(sessionId, { sessionId, url: targetInfo.url });
        void (async () => {
          if (targetInfo.type === "iframe") {
            await interceptPastServiceWorkers(this.connection, sessionId).catch(() => undefined);
            await send("Target.setAutoAttach", autoAttach, sessionId);
          }
          if (waitingForDebugger) await send("Runtime.runIfWaitingForDebugger", {}, sessionId);
          this.notifyChildren();
        })();
        return;
      }
      case "Target.targetInfoChanged": {
        const { targetInfo } = event.params;
        for (const child of this.children.values())
          if (child.sessionId === targetInfo.targetId) child.url = targetInfo.url;
        return;
      }
      case "Target.detachedFromTarget":
        this.children.delete(event.params.sessionId);
        return;
    }
  }

  private notifyChildren(): void {
    const waiters = this.childWaiters;
    this.childWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private async navigate(url: string): Promise<void> {
    const loaded = this.waitForEvent("Page.loadEventFired", this.sessionId);
    // When Page.navigate fails (the browser died), `loaded` is never awaited: its rejection is that same news.
    loaded.promise.catch(() => undefined);
    const { errorText } = await this.connection.send("Page.navigate", { url }, this.sessionId);
    if (errorText) {
      loaded.cancel();
      throw browserStateError({
        kind: "internal",
        code: "INTERCEPTED_NAVIGATION_FAILED",
        message: `intercepted navigation to ${new URL(url).origin} failed: ${errorText}`,
      });
    }
    await loaded.promise;
  }

  private waitForEvent(method: string, sessionId: string): { promise: Promise<void>; cancel(): void } {
    let cancel: () => void = () => undefined;
    const promise = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(
          browserStateError({
            kind: "unavailable",
            code: "BROWSER_TIMEOUT",
            message: `timed out waiting for ${method}`,
          }),
        );
      }, visitTimeoutMs);
      const off = this.connection.onEvent((event) => {
        if (event.method === method && event.sessionId === sessionId) {
          clearTimeout(timer);
          off();
          resolve();
        }
      });
      cancel = () => {
        clearTimeout(timer);
        off();
      };
      this.connection.closed.then(() => {
        cancel();
        reject(
          browserStateError({
            kind: "unavailable",
            code: "BROWSER_DISCONNECTED",
            message: `the browser connection closed (waiting for ${method})`,
          }),
        );
      });
    });
    return { promise, cancel };
  }

  /**
   * Navigates to the storage key and resolves to the session whose main
   * world holds that key's storage: the tab itself for first-party storage,
   * the cross-site iframe's own session for partitioned storage.
   */
  async visit(key: StorageKeyParts): Promise<string> {
    const partitioned = key.topLevelSite !== undefined && key.topLevelSite !== key.origin;
    const topUrl = `${partitioned ? key.topLevelSite : key.origin}/`;
    const frameUrl = `${key.origin}/`;
    for (const url of [topUrl, frameUrl]) if (url.startsWith("http:")) this.plainHttpVisits.add(url);
    this.frameForTop = partitioned ? { topUrl, frameUrl } : undefined;
    try {
      await this.navigate(topUrl);
      const sessionId = partitioned ? await this.frameSession(key.origin) : this.sessionId;
      const landed = await this.evaluate<string>(sessionId, "location.origin");
      if (landed !== key.origin) {
        throw browserStateError({
          kind: "internal",
          code: "INTERCEPTED_NAVIGATION_FAILED",
          message: `an intercepted visit to ${key.origin} landed on ${landed}`,
        });
      }
      return sessionId;
    } finally {
      this.frameForTop = undefined;
      this.plainHttpVisits.clear();
    }
  }

  /** The attached cross-site iframe whose document is `origin`, once its document is complete. */
  private async frameSession(origin: string): Promise<string> {
    const deadline = Date.now() + visitTimeoutMs;
    while (Date.now() < deadline) {
      for (const child of this.children.values()) {
        const state = await evaluateInSession<{ origin: string; ready: string }>(
          this.connection,
          child.sessionId,
          "({ origin: location.origin, ready: document.readyState })",
        ).catch(() => undefined);
        if (state?.origin === origin && state.ready === "complete") return child.sessionId;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 20);
        this.childWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (this.connection.isClosed) break;
    }
    throw browserStateError({
      kind: "unavailable",
      code: "BROWSER_TIMEOUT",
      message: `the partitioned frame ${origin} did not load`,
    });
  }

  evaluate<T>(sessionId: string, expression: string): Promise<T> {
    return evaluateInSession<T>(this.connection, sessionId, expression);
  }

  /**
   * Stops intercepting. An adopted tab is left on about:blank (keeping its
   * sessionStorage) for the caller; a tab we opened is closed.
   */
  async close(): Promise<void> {
    this.unsubscribe();
    if (this.connection.isClosed) return;
    if (this.ownsTarget) {
      await this.connection.send("Target.closeTarget", { targetId: this.targetId }).catch(() => undefined);
      return;
    }
    await this.connection.send("Fetch.disable", {}, this.sessionId).catch(() => undefined);
    await this.connection
      .send("Target.setAutoAttach", { autoAttach: false, waitForDebuggerOnStart: false }, this.sessionId)
      .catch(() => undefined);
    await this.navigate("about:blank").catch(() => undefined);
    // The visits must not show up as the handed-over tab's history (Back would load real sites).
    await this.connection.send("Page.resetNavigationHistory", {}, this.sessionId).catch(() => undefined);
    await this.connection
      .send("Target.detachFromTarget", { sessionId: this.sessionId })
      .catch(() => undefined);
  }
}

/**
 * Every request of the session paused for us to answer — past the origin's
 * service worker: otherwise a registered worker answers our visit itself
 * (from its cache, or by fetching from the real server) and runs the app.
 */
async function interceptPastServiceWorkers(connection: CdpConnection, sessionId: string): Promise<void> {
  await connection.send("Network.enable", {}, sessionId);
  await Promise.all([
    connection.send("Network.setBypassServiceWorker", { bypass: true }, sessionId),
    connection.send("Fetch.enable", { patterns: [{ urlPattern: "*" }] }, sessionId),
  ]);
}
