import { isWebrunError } from "@webrun/errors";
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

/** Only a page's origin is ever kept or reported: its path and query may carry tokens. */
function originOf(url: string): string {
  return isWebUrl(url) ? new URL(url).origin : (url.split(/[?#]/)[0] ?? "");
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
 * How long a tab may take to answer a trivial script. One that does not (an
 * open alert or confirm dialog, a script that never yields) would stall
 * every read of it for the full script timeout: it is left unread and named.
 */
export const tabAnswerTimeoutMs = 5_000;

/** What a capture learns from one tab before reading it. */
type TabProbe =
  | { kind: "closed"; origin: string; sessionId?: string }
  | { kind: "unanswered"; targetId: string; sessionId: string; origin: string }
  | {
      kind: "answered";
      targetId: string;
      sessionId: string;
      origin: string;
      loadedAt: number;
      authenticator: boolean;
    };

/** Whether a target is still open: one that closed while being probed is no longer the user's. */
async function isOpen(connection: CdpConnection, targetId: string): Promise<boolean> {
  const { targetInfos } = await connection.send("Target.getTargets");
  return targetInfos.some((target) => target.targetId === targetId);
}

/** Attaches to a tab and asks it two short questions, each within {@link tabAnswerTimeoutMs}. */
async function probeTab(
  connection: CdpConnection,
  page: { targetId: string; url: string },
): Promise<TabProbe> {
  let sessionId: string;
  try {
    ({ sessionId } = await connection.send("Target.attachToTarget", {
      targetId: page.targetId,
      flatten: true,
    }));
  } catch (error) {
    if (connection.isClosed) throw error;
    return { kind: "closed", origin: originOf(page.url) };
  }
  const origin = originOf(page.url);
  const ask = async <T>(expression: string, otherwise: T): Promise<T> => {
    try {
      return await evaluateInSession<T>(connection, sessionId, expression, undefined, tabAnswerTimeoutMs);
    } catch (error) {
      // Only silence tells us the tab is stuck; an exception (a document being replaced) is an answer.
      if (isWebrunError(error, "PAGE_SCRIPT_TIMEOUT")) throw error;
      if (connection.isClosed) throw error;
      return otherwise;
    }
  };
  const answers = async (): Promise<TabProbe> => {
    try {
      const loadedAt = await ask("performance.timeOrigin", 0);
      const authenticator = isWebUrl(page.url) && (await ask(hasPlatformAuthenticator, false));
      return { kind: "answered", targetId: page.targetId, sessionId, origin, loadedAt, authenticator };
    } catch (error) {
      if (connection.isClosed) throw error;
      if (!(await isOpen(connection, page.targetId))) return { kind: "closed", origin, sessionId };
      return { kind: "unanswered", targetId: page.targetId, sessionId, origin };
    }
  };
  // A tab closing as it is probed never answers: its detach is the answer.
  let off = () => {};
  const detached = new Promise<TabProbe>((resolve) => {
    off = connection.onEvent((event) => {
      if (event.method === "Target.detachedFromTarget" && event.params.sessionId === sessionId) {
        resolve({ kind: "closed", origin, sessionId });
      }
    });
  });
  try {
    return await Promise.race([answers(), detached]);
  } finally {
    off();
  }
}

/** What {@link readOpenPages} found beyond the storage it read. */
export interface OpenPages {
  /** Origins in the tabs' navigation histories and of tabs that closed as they were read: to read elsewhere. */
  historyOrigins: string[];
  /** Origins of tabs that see a platform authenticator, whose passkeys this capture cannot read. */
  originsWithAuthenticator: string[];
  /** Origins of tabs that did not answer within {@link tabAnswerTimeoutMs}: their pages were not read. */
  unansweredOrigins: string[];
}

/**
 * Reads the storage of every open tab and of every frame in it — same-process
 * frames through an isolated world, cross-site iframes (OOPIFs, where
 * partitioned storage lives) through their own flattened session — keyed by
 * Chromium's own storage key for each frame. Tabs are probed in parallel
 * first, so a tab that does not answer costs one {@link tabAnswerTimeoutMs}
 * however many there are; its history is still listed (the browser keeps
 * it), so its origins are read elsewhere. sessionStorage belongs to a tab:
 * tabs are read most recently active first (the one whose document loaded
 * last), so where two tabs of one origin hold different values, that tab's win.
 */
export async function readOpenPages(
  connection: CdpConnection,
  into: OriginStateMap,
  exclude: ReadonlySet<string> = new Set(),
): Promise<OpenPages> {
  const historyOrigins = new Set<string>();
  const originsWithAuthenticator = new Set<string>();
  const unansweredOrigins = new Set<string>();
  const probes = await Promise.allSettled(
    (await listWebPages(connection, exclude)).map((page) => probeTab(connection, page)),
  );
  const attached = probes.flatMap((probe) =>
    probe.status === "fulfilled" && probe.value.sessionId !== undefined ? [probe.value.sessionId] : [],
  );
  try {
    const failed = probes.find((probe) => probe.status === "rejected");
    if (failed) throw failed.reason;
    const tabs: { targetId: string; sessionId: string; loadedAt: number; read: boolean }[] = [];
    for (const probe of probes) {
      if (probe.status !== "fulfilled") continue;
      const tab = probe.value;
      // The browser still holds what a closing tab wrote; its profile on disk may not yet.
      if (tab.kind === "closed" && isWebUrl(tab.origin)) historyOrigins.add(tab.origin);
      if (tab.kind === "unanswered") {
        unansweredOrigins.add(tab.origin);
        tabs.push({ targetId: tab.targetId, sessionId: tab.sessionId, loadedAt: 0, read: false });
      } else if (tab.kind === "answered") {
        if (tab.authenticator) originsWithAuthenticator.add(tab.origin);
        tabs.push({ targetId: tab.targetId, sessionId: tab.sessionId, loadedAt: tab.loadedAt, read: true });
      }
    }
    tabs.sort((a, b) => b.loadedAt - a.loadedAt);
    for (const { targetId, sessionId, read } of tabs) {
      try {
        const { entries } = await connection.send("Page.getNavigationHistory", {}, sessionId);
        for (const entry of entries) {
          if (isWebUrl(entry.url)) historyOrigins.add(new URL(entry.url).origin);
        }
        if (read) await readTargetFrames(connection, sessionId, into);
      } catch (error) {
        // A tab closed meanwhile is no longer the user's; its storage is in the profile.
        if (connection.isClosed || (await isOpen(connection, targetId))) throw error;
      }
    }
  } finally {
    for (const sessionId of attached) {
      await connection.send("Target.detachFromTarget", { sessionId }).catch(() => undefined);
    }
  }
  return {
    historyOrigins: [...historyOrigins],
    originsWithAuthenticator: [...originsWithAuthenticator],
    unansweredOrigins: [...unansweredOrigins],
  };
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
