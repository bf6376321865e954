import type { CdpConnection } from "../../src/index.js";

/** A test's handle on one tab: navigate, evaluate, reach its cross-site iframes. */
export interface TestTab {
  targetId: string;
  sessionId: string;
  goto(url: string): Promise<void>;
  eval<T>(expression: string, sessionId?: string): Promise<T>;
  /** The session of a cross-site iframe whose URL starts with `origin`. */
  frame(origin: string): Promise<string>;
  close(): Promise<void>;
}

export async function openTestTab(connection: CdpConnection, targetId?: string): Promise<TestTab> {
  const id = targetId ?? (await connection.send("Target.createTarget", { url: "about:blank" })).targetId;
  const { sessionId } = await connection.send("Target.attachToTarget", { targetId: id, flatten: true });
  await connection.send("Page.enable", {}, sessionId);
  const evaluate = async <T>(expression: string, session = sessionId): Promise<T> => {
    const { result, exceptionDetails } = await connection.send(
      "Runtime.evaluate",
      { expression, awaitPromise: true, returnByValue: true },
      session,
    );
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text);
    return result.value as T;
  };
  return {
    targetId: id,
    sessionId,
    async goto(url) {
      const loaded = new Promise<void>((resolve) => {
        const off = connection.onEvent((event) => {
          if (event.method === "Page.loadEventFired" && event.sessionId === sessionId) {
            off();
            resolve();
          }
        });
      });
      const { errorText } = await connection.send("Page.navigate", { url }, sessionId);
      if (errorText) throw new Error(`navigation to ${url} failed: ${errorText}`);
      await loaded;
    },
    eval: evaluate,
    async frame(origin) {
      for (let attempt = 0; attempt < 100; attempt++) {
        const sessions: string[] = [];
        const off = connection.onEvent((event) => {
          if (event.method === "Target.attachedToTarget" && event.sessionId === sessionId) {
            if (event.params.targetInfo.url.startsWith(origin)) sessions.push(event.params.sessionId);
          }
        });
        await connection.send(
          "Target.setAutoAttach",
          { autoAttach: true, waitForDebuggerOnStart: false, flatten: true },
          sessionId,
        );
        off();
        for (const session of sessions) {
          const ready = await evaluate<string>("document.readyState", session).catch(() => "");
          if (ready === "complete") return session;
        }
        await connection.send(
          "Target.setAutoAttach",
          { autoAttach: false, waitForDebuggerOnStart: false },
          sessionId,
        );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no iframe of ${origin}`);
    },
    async close() {
      await connection.send("Target.closeTarget", { targetId: id }).catch(() => undefined);
    },
  };
}
