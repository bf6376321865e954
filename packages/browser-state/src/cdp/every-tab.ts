import type { CdpConnection, CdpEvent } from "./cdp-connection.js";

/** A page target just attached (flattened session), before its tab has navigated. */
export interface AttachedPage {
  sessionId: string;
  targetId: string;
  /** A popup whose opener waits for it: it goes on at once, prepared or not. */
  hasOpener: boolean;
}

/** One thing every tab is given (a seed script, a virtual authenticator…). */
export interface TabSeeder {
  /** Sets a page up before its first navigation; resolves when it may go on. */
  prepare(page: AttachedPage): Promise<void>;
  /** The page's session is gone. */
  forget(sessionId: string): void;
  /** Stops listening; pages prepared keep what they were given. */
  stop(): void;
}

/**
 * For the life of `connection`, every tab of the browser — those open now
 * and every new one (`Target.createTarget`, `window.open`, a user's new
 * tab) — has its page prepared by each of `seeders`: new tabs are
 * auto-attached paused before their first navigation, their page is
 * attached through the tab, prepared, then both go on. Resolves once the
 * pages open now are prepared. One watcher per connection: Chromium keeps
 * one auto-attach setting per session, so every feature that needs it is a
 * seeder here rather than calling `Target.setAutoAttach` itself. Returns a
 * function that stops watching (and the seeders).
 */
export async function seedEveryTab(
  connection: CdpConnection,
  seeders: readonly TabSeeder[],
): Promise<() => void> {
  // A target may close, or the browser go, while it is being prepared: nothing is left to prepare then.
  const ignoreGone = () => undefined;
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const settled = work.catch(ignoreGone).finally(() => inFlight.delete(settled));
    inFlight.add(settled);
  };

  const preparePage = (page: AttachedPage, tabSessionId: string) => {
    const resume = () =>
      Promise.all([
        connection.send("Runtime.runIfWaitingForDebugger", {}, page.sessionId).catch(ignoreGone),
        connection.send("Runtime.runIfWaitingForDebugger", {}, tabSessionId).catch(ignoreGone),
      ]);
    const prepared = Promise.allSettled(seeders.map((seeder) => seeder.prepare(page)));
    if (page.hasOpener) void resume();
    track(prepared.then(resume));
  };

  const off = connection.onEvent((event: CdpEvent) => {
    if (event.method === "Target.attachedToTarget") {
      const { sessionId, targetInfo } = event.params;
      if (targetInfo.type === "tab" && event.sessionId === undefined) {
        // A tab is paused before its first navigation; its page is attached through it.
        track(
          connection
            .send(
              "Target.setAutoAttach",
              { autoAttach: true, waitForDebuggerOnStart: false, flatten: true },
              sessionId,
            )
            .catch(() => connection.send("Runtime.runIfWaitingForDebugger", {}, sessionId)),
        );
      } else if (targetInfo.type === "page" && event.sessionId !== undefined) {
        preparePage(
          { sessionId, targetId: targetInfo.targetId, hasOpener: targetInfo.canAccessOpener },
          event.sessionId,
        );
      }
    } else if (event.method === "Target.detachedFromTarget") {
      for (const seeder of seeders) seeder.forget(event.params.sessionId);
    }
  });
  await connection.send("Target.setAutoAttach", {
    autoAttach: true,
    waitForDebuggerOnStart: true,
    flatten: true,
    filter: [{ type: "tab", exclude: false }],
  });
  // The tabs open now were attached before that answer; their pages are being prepared.
  while (inFlight.size > 0) await Promise.all(inFlight);
  return () => {
    off();
    for (const seeder of seeders) seeder.stop();
    connection
      .send("Target.setAutoAttach", { autoAttach: false, waitForDebuggerOnStart: false })
      .catch(ignoreGone);
  };
}
