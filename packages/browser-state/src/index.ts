/**
 * @webrun/browser-state — everything that touches Chromium: capture from a
 * running browser over CDP, seed a fresh profile before launch, restore,
 * offline profile storage and profile inspection. The BrowserState document
 * itself lives in @webrun/state.
 */

export { type CaptureOptions, type CaptureResult, captureState } from "./capture/capture-state.js";
export { type OwnedBrowser, type TeardownOptions, teardownCapture } from "./capture/teardown-capture.js";
export { type CdpConnection, type CdpEvent, connectCdp, redactEndpoint } from "./cdp/cdp-connection.js";
export { inExtensionWorker } from "./cdp/extension-worker.js";
export { checkChromiumBinary } from "./chromium/chromium-binary.js";
export type { LinuxPasswordStore, PasswordStore } from "./chromium/chromium-flags.js";
export { chromiumMajorOf, installedChromiumMajor } from "./chromium/chromium-version.js";
export { findChromium } from "./chromium/find-chromium.js";
export { type LaunchedBrowser, type LaunchOptions, launchChromium } from "./chromium/launch-chromium.js";
export { killProcessGroup, processGroupGone } from "./chromium/process-group.js";
export type { BrowserStateError, BrowserStateErrorCode } from "./errors.js";
export {
  type LoginMarker,
  type PageProbe,
  type ProbePageOptions,
  probePage,
} from "./probe/probe-page.js";
export * from "./profile/index.js";
export type { ProxyLaunchPlan } from "./proxy/proxy-launch-plan.js";
export { originsWithUnsupportedValues } from "./report/unsupported-values.js";
export { type RestoreOptions, type RestoreResult, restoreState } from "./restore/restore-state.js";
export { type LaunchSeededOptions, launchSeeded, type SeededBrowser } from "./seed/launch-seeded.js";
export {
  type OpenExtensionFile,
  type SeededProfile,
  type SeedProfileOptions,
  seedProfile,
} from "./seed/seed-profile.js";
export { type SnapshotSeedResult, seedStorageSnapshot } from "./snapshot/seed-snapshot.js";
export {
  type SnapshotFolder,
  type SnapshotManifest,
  snapshotManifestName,
  snapshotManifestSchema,
  storageSnapshotFolder,
} from "./snapshot/snapshot-manifest.js";
export { type TakeSnapshotOptions, takeStorageSnapshot } from "./snapshot/take-snapshot.js";
export type { PasskeysRead } from "./webauthn/virtual-authenticators.js";
