/**
 * @webrun/browser-state — the BrowserState document; capture from a running
 * Chromium over CDP; seed a fresh profile before launch; Playwright interop.
 */

export { type CaptureOptions, captureState } from "./capture/capture-state.js";
export { type OwnedBrowser, type TeardownOptions, teardownCapture } from "./capture/teardown-capture.js";
export { type CdpConnection, type CdpEvent, connectCdp, redactEndpoint } from "./cdp/cdp-connection.js";
export { inExtensionWorker } from "./cdp/extension-worker.js";
export { findChromium } from "./chromium/find-chromium.js";
export { type LaunchedBrowser, type LaunchOptions, launchChromium } from "./chromium/launch-chromium.js";
export * from "./playwright/index.js";
export * from "./profile/index.js";
export type { ProxyLaunchPlan } from "./proxy/proxy-launch-plan.js";
export { type RestoreOptions, type RestoreResult, restoreState } from "./restore/restore-state.js";
export { type LaunchSeededOptions, launchSeeded, type SeededBrowser } from "./seed/launch-seeded.js";
export {
  type OpenExtensionFile,
  type SeededProfile,
  type SeedProfileOptions,
  seedProfile,
} from "./seed/seed-profile.js";
export * from "./state.js";
export { decodeTypedJson, encodeTypedJson } from "./typed-json.js";
export { type CookieExpiry, cookieExpiry, type DomainExpiry } from "./insight/cookie-expiry.js";
export { type DomainFilter, type FilteredState, filterStateByDomain, normalizeDomain } from "./insight/domain-filter.js";
export { type MergedState, type MergeReport, type MergeStatesInput, mergeStates } from "./merge/merge-states.js";
export {
  type Changed,
  type CookieRef,
  diffStates,
  type ExtensionDiff,
  type IndexedDbDiff,
  type StateDiff,
  type StorageDiff,
  type ValueHash,
} from "./merge/state-diff.js";
export { type ChangeCounts, type StateChanges, stateChanges } from "./merge/state-changes.js";
