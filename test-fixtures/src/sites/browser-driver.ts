import CDP from "chrome-remote-interface";
import type { SiteStatus } from "./status.js";

/** Turns `http://host:port` (DevTools HTTP endpoint) or a `ws://` URL into the browser websocket URL. */
async function browserWebSocketUrl(endpoint: string): Promise<string> {
  if (endpoint.startsWith("ws://") || endpoint.startsWith("wss://")) return endpoint;
  const answer = await fetch(new URL("/json/version", endpoint));
  if (!answer.ok) throw new Error(`no DevTools endpoint at ${endpoint} (HTTP ${answer.status})`);
  const { webSocketDebuggerUrl } = (await answer.json()) as { webSocketDebuggerUrl?: string };
  if (webSocketDebuggerUrl === undefined) throw new Error(`${endpoint} gave no webSocketDebuggerUrl`);
  return webSocketDebuggerUrl;
}

const pollMs = 50;

/**
 * Drives one tab of a running Chromium like a user would (navigate, fill a
 * form, click), for the test sites. It uses the first page target, because
 * sessionStorage lives in the tab it was written in (a seeded browser hands
 * over its first tab), unless told which tab.
 */
export class BrowserDriver {
  private constructor(
    private readonly client: CDP.Client,
    private readonly pageSession: string,
  ) {}

  /** Connects to `endpoint` and attaches to the tab `pageTargetId`, or else the first tab (opening one if none). */
  static async connect(endpoint: string, pageTargetId?: string): Promise<BrowserDriver> {
    const client = await CDP({ target: await browserWebSocketUrl(endpoint) });
    try {
      const { targetInfos } = await client.Target.getTargets();
      const existing = targetInfos.find(
        (t) => t.type === "page" && (pageTargetId ?? t.targetId) === t.targetId,
      );
      if (pageTargetId !== undefined && existing === undefined) throw new Error(`no tab ${pageTargetId}`);
      const targetId =
        existing?.targetId ?? (await client.Target.createTarget({ url: "about:blank" })).targetId;
      const { sessionId } = await client.Target.attachToTarget({ targetId, flatten: true });
      return new BrowserDriver(client, sessionId);
    } catch (error) {
      await client.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  /** Navigates the tab; resolves once the new document has a body (the old one is marked stale first). */
  async goto(url: string): Promise<void> {
    await this.evaluate(`document.body && (document.body.dataset.ready = "stale")`);
    const { errorText } = await this.client.send("Page.navigate", { url }, this.pageSession);
    if (errorText) throw new Error(`navigation to ${url} failed: ${errorText}`);
    // Page.navigate can answer before the new document is parsed (or even current): wait for its body.
    const deadline = Date.now() + 15_000;
    const arrived = `!!document.body && document.body.dataset.ready !== "stale"`;
    while (!(await this.evaluate(arrived).catch(() => false))) {
      if (Date.now() > deadline) throw new Error(`the page at ${url} did not load within 15 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Evaluates an expression (awaiting a promise) in the tab or in another attached session; returns its JSON value. */
  async evaluate(expression: string, sessionId = this.pageSession): Promise<unknown> {
    const { result, exceptionDetails } = await this.client.send(
      "Runtime.evaluate",
      { expression, awaitPromise: true, returnByValue: true },
      sessionId,
    );
    if (exceptionDetails) {
      throw new Error(
        `page script failed: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`,
      );
    }
    return result.value;
  }

  /** Polls until `expression` is truthy in the tab (or session), or fails with what it shows. */
  async waitFor(expression: string, what: string, sessionId = this.pageSession): Promise<unknown> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const value = await this.evaluate(expression, sessionId).catch(() => undefined);
      if (value) return value;
      if (Date.now() > deadline) {
        const where = await this.evaluate(
          `location.href + " | " + (document.body?.innerText ?? "").slice(0, 200)`,
        ).catch((e) => String(e));
        throw new Error(`timed out waiting for ${what}; the tab shows ${where}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /**
   * Waits for the status page at `url` (same origin and path) to publish its
   * `data-status`, and, with `until`, for that status to satisfy it.
   */
  async status(url: string, until: (status: SiteStatus) => boolean = () => true): Promise<SiteStatus> {
    const target = new URL(url);
    // protocol + host rather than origin: chrome-extension: URLs have an opaque origin in Node.
    const place = JSON.stringify(`${target.protocol}//${target.host}${target.pathname}`);
    const expression = `(location.protocol + "//" + location.host + location.pathname === ${place}
  && document.body?.dataset.ready === "1") ? document.body.dataset.status : ""`;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const status = JSON.parse((await this.waitFor(expression, `status of ${url}`)) as string) as SiteStatus;
      if (until(status)) return status;
      if (Date.now() > deadline) throw new Error(`status of ${url} stayed ${JSON.stringify(status)}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  /** Navigates to a status page and reads its answer. */
  async statusAt(url: string): Promise<SiteStatus> {
    await this.goto(url);
    return this.status(url);
  }

  /** Fills the `#login` form of a page and clicks its submit button: a real form POST. */
  async submitLogin(user: string, password: string, sessionId = this.pageSession): Promise<void> {
    // Past "loading", every classic script of the page has run: its submit handlers are in place.
    await this.waitFor(
      `document.readyState !== "loading" && !!document.getElementById("submit")`,
      "the login form",
      sessionId,
    );
    await this.evaluate(
      `(() => { const form = document.getElementById("login");
  form.user.value = ${JSON.stringify(user)}; form.password.value = ${JSON.stringify(password)};
  document.getElementById("submit").click(); return true; })()`,
      sessionId,
    );
  }

  /** Clicks the element with `id` in the tab. */
  async click(id: string): Promise<void> {
    await this.waitFor(
      `document.readyState !== "loading" && !!document.getElementById(${JSON.stringify(id)})`,
      `#${id}`,
    );
    await this.evaluate(`document.getElementById(${JSON.stringify(id)}).click(), true`);
  }

  /** Attaches to the out-of-process iframe whose URL starts with `urlPrefix`; returns its session. */
  async attachToFrame(urlPrefix: string): Promise<string> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { targetInfos } = await this.client.Target.getTargets();
      const frame = targetInfos.find((t) => t.type === "iframe" && t.url.startsWith(urlPrefix));
      if (frame !== undefined) {
        return (await this.client.Target.attachToTarget({ targetId: frame.targetId, flatten: true }))
          .sessionId;
      }
      if (Date.now() > deadline) throw new Error(`no iframe target at ${urlPrefix}`);
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async detach(sessionId: string): Promise<void> {
    await this.client.Target.detachFromTarget({ sessionId });
  }
}
