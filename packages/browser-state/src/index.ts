/**
 * @webrun/browser-state — the BrowserState document; capture from a running
 * Chromium over CDP; seed a fresh profile before launch; Playwright interop.
 */
export * from "./state.js";
