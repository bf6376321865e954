import type { Protocol } from "devtools-protocol";
import type { CdpConnection, CdpEvent } from "../cdp/cdp-connection.js";
import { evaluateInSession } from "../cdp/evaluate.js";
import { parseStorageKey, type StorageKeyParts } from "../profile/index.js";
import type { OriginStateMap } from "./origin-state-map.js";
import { type PageStorage, readStorageExpression } from "./read-storage-script.js";

const readEverything = readStorageExpression({ localStorage: true, sessionStorage: true, indexedDB: true });

/**
 * Whether the page sees a user-verifying platform authenticator. A CDP
 * virtual authenticator of transport `internal` is one, and so is a real
 * platform authenticator: either holds passkeys no other CDP client can read.
 */
const hasPlatformAuthenticator = `isSecureContext && typeof PublicKeyCredential === "function"
  ? PublicKeyCredential.isUserVerifyingPlatformAuthenticatorAvailable().catch(() => false)
  : false`;

function isWebUrl(url: string): boolean {
  return url.startsWith("https://") || url.startsWith("http://");
}

/** Page targets a person would call tabs (not our own tabs, not browser UI, not extension pages). */
export async function listWebPages(
  connection: CdpConnection,
  exclude: ReadonlySet<string> = new Set(),
): Promise<{ targetId: string; url: string }[]> {
  const { targetInfos } = await connection.send("Target.getTargets");
  return targetInfos.filter((target) => target.type === "page" && !exclude.has(target.targetId));
}

/**
 * Reads the storage of every open tab and of every frame in it — same-process
 * frames through an isolated world, cross-site iframes (OOPIFs, where
 * partitioned storage lives) through their own flattened session — keyed by
 * Chromium's own storage key for each frame. Also returns the origins in
 * each tab's navigation history, which may hold storage of their own.
 * sessionStorage belongs to a tab: tabs are read most recently active first
 * (the one whose document loaded last), so where two tabs of one origin hold
 * different values, that tab's win. Also names the origins of tabs that
 * see a platform authenticator, whose passkeys this capture cannot read.
 */
export async function readOpenPages(
  connection: CdpConnection,
  into: OriginStateMap,
  exclude: ReadonlySet<string> = new Set(),
): Promise<{ historyOrigins: string[]; originsWithAuthenticator: string[] }> {
  const historyOrigins = new Set<string>();
  const originsWithAuthenticator = new Set<string>();
  const tabs: { sessionId: string; loadedAt: number }[] = [];
  try {
    for (const page of await listWebPages(connection, exclude)) {
      try {
        const { sessionId } = await connection.send("Target.attachToTarget", {
          targetId: page.targetId,
          flatten: true,
        });
        const loadedAt = await evaluateInSession<number>(
          connection,
          sessionId,
          "performance.timeOrigin",
        ).catch(() => 0);
        tabs.push({ sessionId, loadedAt });
        if (
          isWebUrl(page.url) &&
          (await evaluateInSession<boolean>(connection, sessionId, hasPlatformAuthenticator).catch(
            () => false,
          ))
        ) {
          originsWithAuthenticator.add(new URL(page.url).origin);
        }
      } catch (error) {
        if (connection.isClosed) throw error;
        // the tab closed meanwhile
      }
    }
    tabs.sort((a, b) => b.loadedAt - a.loadedAt);
    for (const { sessionId } of tabs) {
      const { entries } = await connection.send("Page.getNavigationHistory", {}, sessionId);
      for (const entry of entries) {
        if (isWebUrl(entry.url)) historyOrigins.add(new URL(entry.url).origin);
      }
      await readTargetFrames(connection, sessionId, into);
    }
  } finally {
    for (const { sessionId } of tabs) {
      await connection.send("Target.detachFromTarget", { sessionId }).catch(() => undefined);
    }
  }
  return { historyOrigins: [...historyOrigins], originsWithAuthenticator: [...originsWithAuthenticator] };
}

async function storageKeyOfFrame(
  connection: CdpConnection,
  sessionId: string,
  frameId: string,
): Promise<StorageKeyParts | undefined> {
  const { storageKey } = await connection
    .send("Storage.getStorageKeyForFrame", { frameId }, sessionId)
    .catch(() => ({ storageKey: undefined }));
  return typeof storageKey === "string" ? parseStorageKey(storageKey) : undefined;
}

async function readTargetFrames(
  connection: CdpConnection,
  sessionId: string,
  into: OriginStateMap,
): Promise<void> {
  const { frameTree } = await connection.send("Page.getFrameTree", {}, sessionId);
  const frames: { id: string; url: string; main: boolean }[] = [];
  const walk = (tree: Protocol.Page.FrameTree, main: boolean) => {
    frames.push({ id: tree.frame.id, url: tree.frame.url, main });
    for (const child of tree.childFrames ?? []) walk(child, false);
  };
  walk(frameTree, true);
  for (const frame of frames) {
    if (!isWebUrl(frame.url)) continue;
    try {
      const key = await storageKeyOfFrame(connection, sessionId, frame.id);
      if (key === undefined) continue;
      let contextId: number | undefined;
      if (!frame.main) {
        // Page script in a world of our own: the page's globals cannot interfere.
        ({ executionContextId: contextId } = await connection.send(
          "Page.createIsolatedWorld",
          { frameId: frame.id, worldName: "webrun-capture" },
          sessionId,
        ));
      }
      const json = await evaluateInSession<string>(connection, sessionId, readEverything, contextId);
      into.add(key, JSON.parse(json) as PageStorage);
    } catch (error) {
      if (connection.isClosed) throw error;
      // The frame navigated away or hangs: its origin is in the tab's history,
      // so it is read again through the intercepted tab.
    }
  }
  for (const child of await attachCrossSiteFrames(connection, sessionId)) {
    try {
      await readTargetFrames(connection, child, into);
    } finally {
      await connection.send("Target.detachFromTarget", { sessionId: child }).catch(() => undefined);
    }
  }
}

/** Sessions of the out-of-process iframes directly under a target. */
async function attachCrossSiteFrames(connection: CdpConnection, sessionId: string): Promise<string[]> {
  const children: string[] = [];
  const off = connection.onEvent((event: CdpEvent) => {
    if (event.method === "Target.attachedToTarget" && event.sessionId === sessionId) {
      if (event.params.targetInfo.type === "iframe") children.push(event.params.sessionId);
    }
  });
  try {
    await connection.send(
      "Target.setAutoAttach",
      { autoAttach: true, waitForDebuggerOnStart: false, flatten: true },
      sessionId,
    );
  } finally {
    off();
  }
  return children;
}
