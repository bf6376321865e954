import { existsSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BrowserState, OriginState, StateReport } from "@webrun/state";
import { writeCookies } from "../cdp/cookies.js";
import { seedEveryTab, type TabSeeder } from "../cdp/every-tab.js";
import { InterceptedTab } from "../cdp/intercepted-tab.js";
import { installedChromiumMajor } from "../chromium/chromium-version.js";
import { type ControlledBrowser, type LaunchedBrowser, launchChromium } from "../chromium/launch-chromium.js";
import type { ProxyLaunchPlan } from "../proxy/proxy-launch-plan.js";
import { seedReport } from "../report/seed-report.js";
import { verifySeededCookies } from "../report/seeded-cookies.js";
import { writeOriginsThroughTab } from "../restore/restore-origins.js";
import { type SnapshotSeedResult, seedStorageSnapshot } from "../snapshot/seed-snapshot.js";
import { storageSnapshotFolder } from "../snapshot/snapshot-manifest.js";
import { type PasskeysRead, VirtualAuthenticators } from "../webauthn/virtual-authenticators.js";
import { type OpenExtensionFile, seedProfile } from "./seed-profile.js";
import { sessionStorageSeeder } from "./session-storage-for-new-tabs.js";

export interface LaunchSeededOptions {
  /** Default true. */
  headless?: boolean;
  /** Extra Chromium flags, appended last. */
  args?: readonly string[];
  proxyPlan?: ProxyLaunchPlan;
  /** Where extension bytes come from (an archive); inline base64 by default. */
  openExtensionFile?: OpenExtensionFile;
  executablePath?: string;
  /** Parent of the temporary profile (default: the OS temp dir). */
  tempDir?: string;
  /**
   * A user-data-dir (or subset, e.g. an archive's `profile/`) copied into the
   * new profile first; the state is then seeded over it.
   */
  profileTemplateDir?: string;
  /**
   * A CDP virtual authenticator in every tab (see `VirtualAuthenticators`),
   * holding the state's passkeys. On by default when the state has a
   * `webauthn` section; `true` adds one to a browser that has none yet.
   */
  virtualAuthenticator?: boolean;
  /**
   * A storage snapshot taken at capture (`captureState`'s `storageSnapshotDir`):
   * written into the profile before launch when this Chromium has the
   * snapshot's major version, else left out and reported (the portable
   * document still seeds everything it holds). By default, the one a
   * `profileTemplateDir` holds in its `webrun-snapshot/` folder.
   */
  storageSnapshotDir?: string;
  /**
   * Why no storage snapshot is seeded this time (e.g. a domain filter is
   * on: a snapshot holds every origin's service workers and OPFS in one
   * folder and cannot be filtered). Named in the report's warnings.
   */
  skipStorageSnapshot?: string;
}

/** A seeded browser: `pageTargetId` is the tab that holds the restored sessionStorage. */
export interface SeededBrowser extends LaunchedBrowser {
  readonly pageTargetId: string;
  /** Captured extension id → id in this browser (they differ for extensions without a manifest key). */
  readonly extensionIds: ReadonlyMap<string, string>;
  /** What the browser holds of the state, read back: cookies over Chromium's caps are dropped there. */
  readonly report: StateReport;
  /**
   * The passkeys of its virtual authenticators, when it has them: they live
   * only in this process's DevTools sessions, so only this browser's owner
   * can capture them (`teardownCapture` does).
   */
  readonly passkeys?: () => Promise<PasskeysRead>;
  /** What a storage snapshot put into the profile, and what it did not (also among `report.warnings`). */
  readonly storageSnapshot?: SnapshotSeedResult;
}

const seedParts = { localStorage: false, sessionStorage: true, indexedDB: true };

/**
 * Starts a fresh Chromium that already holds `state` when the caller first
 * sees it: localStorage and extension storage written into a new temporary
 * profile before launch, extensions loaded, cookies set on the browser
 * session, and IndexedDB and sessionStorage written through intercepted
 * navigation (no request reaches a real server).
 *
 * sessionStorage belongs to a tab, so it is written into one page target
 * that is then left on about:blank and handed over as `pageTargetId`
 * (Playwright's `connectOverCDP` shows it as the first page of the default
 * context); and for as long as the browser runs, every new tab gets the
 * first-party sessionStorage of an origin before that origin's first script
 * runs there (see {@link sessionStorageSeeder}). With a virtual
 * authenticator, every tab gets one holding the state's passkeys.
 * `close()` closes the browser and removes the temporary profile.
 */
export async function launchSeeded(
  state: BrowserState,
  options: LaunchSeededOptions = {},
): Promise<SeededBrowser> {
  const root = await mkdtemp(path.join(options.tempDir ?? tmpdir(), "webrun-browser-"));
  const profileDir = path.join(root, "profile");
  let browser: ControlledBrowser | undefined;
  try {
    const template = options.profileTemplateDir;
    const templateSnapshot = template ? path.join(template, storageSnapshotFolder) : undefined;
    if (template) {
      await cp(template, profileDir, { recursive: true, filter: (source) => source !== templateSnapshot });
    }
    // The snapshot goes in first: the portable document is then written around it.
    const snapshot = await seedSnapshotOf(
      profileDir,
      options.storageSnapshotDir ??
        (templateSnapshot && existsSync(templateSnapshot) ? templateSnapshot : undefined),
      options,
    );
    const seeded = await seedProfile(profileDir, state, {
      extensionsDir: path.join(root, "extensions"),
      ...(options.openExtensionFile ? { openExtensionFile: options.openExtensionFile } : {}),
    });
    browser = await launchChromium({
      userDataDir: profileDir,
      headless: options.headless ?? true,
      extensionDirs: seeded.extensionDirs,
      ...(options.args ? { args: options.args } : {}),
      ...(options.proxyPlan ? { proxyPlan: options.proxyPlan } : {}),
      ...(options.executablePath ? { executablePath: options.executablePath } : {}),
    });
    const connection = browser.connection;
    const [, { targetId }] = await Promise.all([
      writeCookies(connection, state.cookies),
      connection.send("Target.createTarget", { url: "about:blank" }),
    ]);
    const pageWritten = withoutSnapshotIndexedDb(state, snapshot);
    if (pageWritten.some((origin) => origin.sessionStorage.length > 0 || origin.indexedDB.length > 0)) {
      const tab = await InterceptedTab.open(connection, { targetId });
      try {
        await writeOriginsThroughTab(tab, pageWritten, seedParts);
      } finally {
        await tab.close();
      }
    }
    const authenticators =
      (options.virtualAuthenticator ?? state.webauthn !== undefined)
        ? new VirtualAuthenticators(connection, state.webauthn)
        : undefined;
    const seeders = [sessionStorageSeeder(connection, state.origins), authenticators].filter(
      (seeder): seeder is TabSeeder => seeder !== undefined,
    );
    const stopSeedingTabs = seeders.length > 0 ? await seedEveryTab(connection, seeders) : () => undefined;
    const report = seedReport(state, await verifySeededCookies(connection, state.cookies), {
      passkeysDropped: authenticators?.seeded().refused ?? {
        reason: "not seeded: the browser was launched without a virtual authenticator",
        count: state.webauthn?.credentials.length ?? 0,
      },
      ...(snapshot ? { snapshot } : {}),
    });
    const launched = browser;
    let closing: Promise<void> | undefined;
    return {
      cdpUrl: launched.cdpUrl,
      httpUrl: launched.httpUrl,
      pid: launched.pid,
      userDataDir: profileDir,
      pageTargetId: targetId,
      extensionIds: seeded.extensionIds,
      report,
      ...(authenticators ? { passkeys: () => authenticators.read() } : {}),
      ...(snapshot ? { storageSnapshot: snapshot } : {}),
      exited: launched.exited,
      close(closeOptions) {
        closing ??= (async () => {
          stopSeedingTabs();
          try {
            await launched.close(closeOptions);
          } finally {
            await rm(root, { recursive: true, force: true });
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The origins to write through the page: a first-party origin whose
 * IndexedDB the storage snapshot wrote keeps the snapshot's (it holds every
 * value, the document only placeholders for some), so its IndexedDB is not
 * written over it; its other storage still is.
 */
function withoutSnapshotIndexedDb(
  state: BrowserState,
  snapshot: SnapshotSeedResult | undefined,
): OriginState[] {
  if (snapshot === undefined || snapshot.indexedDbOrigins.size === 0) return state.origins;
  return state.origins.map((origin) =>
    origin.topLevelSite === undefined && snapshot.indexedDbOrigins.has(origin.origin)
      ? { ...origin, indexedDB: [] }
      : origin,
  );
}

/** Seeds the storage snapshot in `snapshotDir`, if any, unless the caller says why not. */
async function seedSnapshotOf(
  profileDir: string,
  snapshotDir: string | undefined,
  options: LaunchSeededOptions,
): Promise<SnapshotSeedResult | undefined> {
  if (snapshotDir === undefined) return undefined;
  if (options.skipStorageSnapshot !== undefined) {
    return {
      seeded: [],
      indexedDbOrigins: new Set(),
      skipped: [`storage snapshot not seeded: ${options.skipStorageSnapshot}`],
    };
  }
  return seedStorageSnapshot(profileDir, snapshotDir, {
    chromiumMajor: await installedChromiumMajor(options.executablePath),
  });
}
