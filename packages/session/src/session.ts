import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type CaptureResult,
  launchSeeded,
  type ProxyLaunchPlan,
  type SeededBrowser,
  storageSnapshotFolder,
  teardownCapture,
} from "@webrun/browser-state";
import { isWebrunError } from "@webrun/errors";
import { normalizeDomain } from "@webrun/state";
import type { EnvironmentFile, EnvironmentHead, SavedVersion, SessionBackend } from "./backend.js";
import { DownloadWatch } from "./downloads.js";
import { sessionErrors } from "./errors.js";
import { materializeFiles } from "./materialize-files.js";
import type { NotSavedCode, SessionReceipt } from "./receipt.js";
import { planSeed, type SeedPlan, type SeedReport, stateToSave } from "./seed-plan.js";
import { createSessionFolders, type SessionFolders } from "./session-folders.js";
import { mayRefreshSnapshot, type SnapshotAtClose, snapshotToSave } from "./snapshot-save.js";
import { diskSafeName, UniqueNames } from "./unique-names.js";
import { keepUnsavedCapture } from "./unsaved-capture.js";

export interface OpenSessionOptions {
  backend: SessionBackend;
  environmentId: string;
  /** Default true. */
  headless?: boolean;
  /** A compiled proxy (`toLaunchPlan` of `@webrun/proxy-config`). */
  proxy?: ProxyLaunchPlan;
  /** Extra Chromium flags, appended last. */
  chromeArgs?: readonly string[];
  /** Seed only the logins of these domains (and their subdomains). */
  onlyDomains?: readonly string[];
  /** Seed everything but these domains' logins. */
  excludeDomains?: readonly string[];
  /** Default: `CHROME_PATH`, else Chromium on `PATH`. */
  executablePath?: string;
  /** Parent of the session's folder (default: the OS temp dir). */
  tempDir?: string;
  /** Where a capture whose save failed is kept for a retry (default `<OS temp dir>/webrun-unsaved`). */
  unsavedDir?: string;
  /**
   * A CDP virtual authenticator in every tab, so passkeys created in the
   * session are saved with it. On by default when the environment has passkeys.
   */
  virtualAuthenticator?: boolean;
}

/** A running, seeded browser attached to an environment. */
export interface Session {
  readonly environmentId: string;
  /** The version it was seeded from; its save merges from here. `null`: the environment had none. */
  readonly baseVersion: number | null;
  /** Browser-level CDP websocket. */
  readonly cdpUrl: string;
  /** DevTools HTTP endpoint, for clients that want `/json/version`. */
  readonly httpUrl: string;
  readonly pid: number;
  /** The tab holding the restored sessionStorage: use it for the first navigation. */
  readonly pageTargetId: string;
  /** The environment's files, read-only, for file inputs (`DOM.setFileInputFiles`). */
  readonly filesDir: string;
  /** Where the browser's downloads go; finished ones are uploaded at close. */
  readonly downloadsDir: string;
  readonly seeded: SeedReport;
  /** Resolves when the browser process exits, for whatever reason. */
  readonly exited: Promise<void>;
  /**
   * Captures, closes the browser, saves (merged from `baseVersion`) and
   * uploads finished downloads; `save: false` discards both. The browser
   * profile and the session's folders are removed whatever happens. A failed
   * save rejects with `SESSION_SAVE_FAILED`, naming where the capture is kept.
   * Calling it again returns the same promise.
   */
  close(options?: { save?: boolean }): Promise<SessionReceipt>;
}

/**
 * Opens a session on an environment: loads its head (an unknown or foreign
 * id fails here, before any browser starts), seeds a fresh Chromium with it
 * before its first page, puts the environment's files in `filesDir` and
 * routes downloads to `downloadsDir`. Resolves once the browser is ready.
 */
export async function openSession(options: OpenSessionOptions): Promise<Session> {
  // A bad domain is refused before anything is read or started.
  const filter = {
    ...(options.onlyDomains ? { only: options.onlyDomains.map(normalizeDomain) } : {}),
    ...(options.excludeDomains ? { exclude: options.excludeDomains.map(normalizeDomain) } : {}),
  };
  const folders = await createSessionFolders(options.tempDir);
  try {
    const head = await options.backend.loadHead(options.environmentId, folders.scratch);
    const plan = planSeed(head.state, filter, { passkeys: options.virtualAuthenticator !== false });
    const headHadSnapshot =
      head.profileDir !== undefined && existsSync(path.join(head.profileDir, storageSnapshotFolder));
    const [files, launched] = await Promise.allSettled([
      materializeFiles(head, folders.files),
      launchSeeded(plan.state, {
        headless: options.headless ?? true,
        tempDir: folders.browser,
        ...(options.chromeArgs ? { args: options.chromeArgs } : {}),
        ...(options.proxy ? { proxyPlan: options.proxy } : {}),
        ...(options.executablePath ? { executablePath: options.executablePath } : {}),
        ...(head.openExtensionFile ? { openExtensionFile: head.openExtensionFile } : {}),
        ...(head.profileDir ? { profileTemplateDir: head.profileDir } : {}),
        ...(options.virtualAuthenticator === undefined
          ? {}
          : { virtualAuthenticator: options.virtualAuthenticator }),
        ...(plan.skipStorageSnapshot ? { skipStorageSnapshot: plan.skipStorageSnapshot } : {}),
      }),
    ]);
    // What the backend unpacked is in the browser's own profile now (decrypted: no longer than needed).
    await rm(folders.scratch, { recursive: true, force: true });
    if (launched.status === "rejected") throw launched.reason;
    const browser = launched.value;
    try {
      if (files.status === "rejected") throw files.reason;
      const downloads = await DownloadWatch.start(browser.cdpUrl, folders.downloads);
      const snapshot = { headHadSnapshot, seeded: browser.storageSnapshot };
      const closer = new SessionCloser(options, folders, head, plan, browser, downloads, snapshot);
      return {
        environmentId: options.environmentId,
        baseVersion: head.version,
        cdpUrl: browser.cdpUrl,
        httpUrl: browser.httpUrl,
        pid: browser.pid,
        pageTargetId: browser.pageTargetId,
        filesDir: folders.files,
        downloadsDir: folders.downloads,
        seeded: {
          ...plan.report,
          passkeys: browser.report.passkeys.kept,
          notSeeded: { ...plan.report.notSeeded, storageSnapshot: browser.storageSnapshot?.skipped ?? [] },
          files: files.value,
        },
        exited: browser.exited,
        close: (closeOptions) => closer.close(closeOptions),
      };
    } catch (error) {
      await browser.close();
      throw error;
    }
  } catch (error) {
    await folders.remove();
    throw error;
  }
}

/** The end of a session: capture, save, uploads, and removal of everything on disk. */
class SessionCloser {
  readonly #environmentId: string;
  readonly #baseVersion: number | null;
  readonly #backend: SessionBackend;
  readonly #unsavedDir: string;
  #closing: Promise<SessionReceipt> | undefined;
  /** The browser exited before `close` was called. */
  #exitedEarly = false;

  constructor(
    options: OpenSessionOptions,
    private readonly folders: SessionFolders,
    private readonly head: EnvironmentHead,
    private readonly plan: SeedPlan,
    private readonly browser: SeededBrowser,
    private readonly downloads: DownloadWatch,
    private readonly snapshot: SnapshotAtClose,
  ) {
    this.#environmentId = options.environmentId;
    this.#baseVersion = head.version;
    this.#backend = options.backend;
    this.#unsavedDir = options.unsavedDir ?? path.join(tmpdir(), "webrun-unsaved");
    void browser.exited.then(() => {
      if (this.#closing === undefined) this.#exitedEarly = true;
    });
  }

  close({ save = true }: { save?: boolean } = {}): Promise<SessionReceipt> {
    this.#closing ??= this.#close(save);
    return this.#closing;
  }

  async #close(save: boolean): Promise<SessionReceipt> {
    const startedAt = performance.now();
    try {
      // Closing the browser cancels what is still downloading: remember what was cut short.
      const unfinished = new Set(
        this.downloads
          .list()
          .filter((download) => download.state === "inProgress")
          .map((download) => download.guid),
      );
      const { captured, notSaved } = await this.#capture(save);
      // Idempotent: removes the browser profile whether or not a capture ran.
      await this.browser.close();
      await this.downloads.stop();
      const { files, notUploaded } = await this.#uploadDownloads(save, unfinished);
      const saved = captured === undefined ? null : await this.#save(captured, files);
      return {
        environmentId: this.#environmentId,
        saved,
        notSaved,
        captured: captured?.report ?? null,
        files,
        notUploaded,
        durationMs: Math.round(performance.now() - startedAt),
      };
    } finally {
      await this.folders.remove();
    }
  }

  async #capture(save: boolean): Promise<{
    captured?: CaptureResult;
    notSaved: { code: NotSavedCode; message: string } | null;
  }> {
    if (this.#exitedEarly) {
      return {
        notSaved: {
          code: "BROWSER_EXITED",
          message: `the browser (pid ${this.browser.pid}) exited before the session closed; nothing was saved`,
        },
      };
    }
    if (!save)
      return { notSaved: { code: "DISCARDED", message: "closed with save: false; nothing was saved" } };
    try {
      // Extension files inline: the laid-out copies go with the profile, and a kept capture must stand alone.
      // A fresh storage snapshot of the closed profile, when it can succeed the head's (see `mayRefreshSnapshot`).
      const storageSnapshotDir = mayRefreshSnapshot(this.snapshot)
        ? { storageSnapshotDir: path.join(this.#snapshotParent, storageSnapshotFolder) }
        : {};
      return {
        captured: await teardownCapture(this.browser, { inlineExtensionFiles: true, ...storageSnapshotDir }),
        notSaved: null,
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        notSaved: {
          code: "CAPTURE_FAILED",
          message: `capturing the browser's state failed (${reason}); nothing was saved`,
        },
      };
    }
  }

  /** Where the closing capture's storage snapshot goes: a `webrun-snapshot/` under it. */
  get #snapshotParent(): string {
    return path.join(this.folders.root, "snapshot");
  }

  async #save(captured: CaptureResult, files: EnvironmentFile[]): Promise<SavedVersion> {
    const { snapshot, reason } = snapshotToSave(
      this.snapshot,
      captured,
      this.#snapshotParent,
      this.plan.state,
      this.head.state,
    );
    const capture = {
      state: stateToSave(captured.state, this.plan, this.head.state),
      mergeBase: this.#baseVersion,
      ...(snapshot ? { snapshot } : {}),
    };
    try {
      const saved = await this.#backend.saveState(this.#environmentId, capture);
      // The session knows why better than the store does when its snapshot was not the one saved.
      if (saved.snapshot !== null && saved.snapshot.outcome !== "replaced" && reason !== undefined) {
        return { ...saved, snapshot: { ...saved.snapshot, reason } };
      }
      return saved;
    } catch (error) {
      const folder = await keepUnsavedCapture(this.#unsavedDir, this.#environmentId, capture).catch(
        (keepError: unknown) => {
          throw sessionErrors.captureLost(error, keepError, this.#environmentId);
        },
      );
      throw sessionErrors.saveFailed(error, {
        environmentId: this.#environmentId,
        mergeBase: this.#baseVersion,
        folder,
        files,
        captured: captured.report,
      });
    }
  }

  /** Finished downloads become environment files, under their suggested names made unique. */
  async #uploadDownloads(
    save: boolean,
    unfinishedAtClose: ReadonlySet<string>,
  ): Promise<Pick<SessionReceipt, "files" | "notUploaded">> {
    const files: EnvironmentFile[] = [];
    const notUploaded: SessionReceipt["notUploaded"] = [];
    const names = new UniqueNames(this.head.files.map((file) => file.originalName));
    for (const download of this.downloads.list()) {
      const name = names.claim(diskSafeName(download.suggestedFilename));
      if (!save) {
        notUploaded.push({ name, code: "DISCARDED", message: "closed with save: false" });
      } else if (download.state !== "completed" && unfinishedAtClose.has(download.guid)) {
        notUploaded.push({ name, code: "IN_PROGRESS", message: "still downloading when the session closed" });
      } else if (download.state !== "completed") {
        notUploaded.push({ name, code: "CANCELED", message: "the download was canceled" });
      } else {
        try {
          files.push(
            await this.#backend.uploadFile(this.#environmentId, {
              name,
              path: download.file,
            }),
          );
        } catch (error) {
          const reason = isWebrunError(error) ? error.message : "the upload failed";
          notUploaded.push({ name, code: "UPLOAD_FAILED", message: reason });
        }
      }
    }
    return { files, notUploaded };
  }
}
