/**
 * @webrun/browser-state — the BrowserState document; capture from a running
 * Chromium over CDP; seed a fresh profile before launch; Playwright interop.
 */

export { type CdpConnection, type CdpEvent, connectCdp, redactEndpoint } from "./cdp/cdp-connection.js";
export { findChromium } from "./chromium/find-chromium.js";
export { type LaunchedBrowser, type LaunchOptions, launchChromium } from "./chromium/launch-chromium.js";
export type { ProxyLaunchPlan } from "./proxy/proxy-launch-plan.js";
export * from "./profile/index.js";
export * from "./state.js";
