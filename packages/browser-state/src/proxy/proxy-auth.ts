import type { Protocol } from "devtools-protocol";
import type { CdpConnection, CdpEvent, CdpMethod, CdpParams } from "../cdp/cdp-connection.js";
import type { ProxyLogin } from "./proxy-launch-plan.js";

/** Target types whose network requests may meet a proxy challenge. */
const networkTargetTypes = new Set(["page", "iframe", "service_worker", "shared_worker", "worker", "other"]);

const autoAttach = { autoAttach: true, waitForDebuggerOnStart: true, flatten: true };

/**
 * Answers proxy authentication challenges on every target of the browser,
 * present and future: auto-attach (paused at start so no request slips out
 * first), `Fetch.enable({handleAuthRequests})` per target, and
 * `Fetch.continueWithAuth` for challenges whose source is the proxy. Server
 * (non-proxy) challenges get the browser's default handling. Credentials
 * are never logged or put into errors. Returns a function that stops it.
 *
 * Give it a connection of its own: it continues every request paused on the
 * connection, so a request another session on the same connection paused to
 * fulfil itself (an intercepted tab) would escape to the network.
 */
export async function answerProxyAuth(
  connection: CdpConnection,
  credentials: ProxyLogin,
): Promise<() => void> {
  const ignore = () => undefined;
  const send = <M extends CdpMethod>(method: M, params: CdpParams<M>, sessionId?: string) =>
    connection.send(method, params, sessionId).catch(ignore);

  const onEvent = (event: CdpEvent) => {
    switch (event.method) {
      case "Target.attachedToTarget": {
        const { sessionId, targetInfo, waitingForDebugger } = event.params;
        void (async () => {
          if (networkTargetTypes.has(targetInfo.type)) {
            await send(
              "Fetch.enable",
              { handleAuthRequests: true, patterns: [{ urlPattern: "*" }] },
              sessionId,
            );
            await send("Target.setAutoAttach", autoAttach, sessionId);
          }
          if (waitingForDebugger) await send("Runtime.runIfWaitingForDebugger", {}, sessionId);
        })();
        return;
      }
      case "Fetch.requestPaused":
        void send("Fetch.continueRequest", { requestId: event.params.requestId }, event.sessionId);
        return;
      case "Fetch.authRequired": {
        const { requestId, authChallenge } = event.params;
        const authChallengeResponse: Protocol.Fetch.AuthChallengeResponse =
          authChallenge.source === "Proxy"
            ? {
                response: "ProvideCredentials",
                username: credentials.username,
                password: credentials.password,
              }
            : { response: "Default" };
        void send("Fetch.continueWithAuth", { requestId, authChallengeResponse }, event.sessionId);
        return;
      }
    }
  };
  const unsubscribe = connection.onEvent(onEvent);
  await connection.send("Target.setAutoAttach", autoAttach);
  return unsubscribe;
}
