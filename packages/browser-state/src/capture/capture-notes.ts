import {
  type BrowserState,
  type DroppedItems,
  kindReport,
  type StateReport,
  stateReport,
} from "@webrun/state";
import type { StorageKeyParts } from "../profile/index.js";
import { originsWithUnsupportedValues, unsupportedValuesDropped } from "../report/unsupported-values.js";
import { tabAnswerTimeoutMs } from "./open-pages.js";

/** Up to five origins, then how many more. */
function listed(origins: readonly string[]): string {
  return `${origins.slice(0, 5).join(", ")}${origins.length > 5 ? ` and ${origins.length - 5} more` : ""}`;
}

/**
 * What a capture could not read or keep, gathered while it runs and turned
 * into its {@link StateReport} at the end: nothing is dropped without a word.
 */
export class CaptureNotes {
  readonly warnings: string[] = [];
  readonly cookiesDropped: DroppedItems[] = [];
  readonly passkeysDropped: DroppedItems[] = [];
  private readonly unsupportedKeys = new Set<string>();
  private readonly extensionsWithoutStorage: string[] = [];
  private readonly unreadKeys: string[] = [];
  /** Origins whose IndexedDB a storage snapshot carries whole. */
  readonly indexedDbInSnapshot = new Set<string>();

  /** An extension whose worker is asleep and whose profile could not be read: its chrome.storage is missing. */
  extensionStorageMissed(extensionId: string): void {
    this.extensionsWithoutStorage.push(extensionId);
  }

  /** A storage key BrowserState cannot express (extension pages, nonce or opaque partitions). */
  unsupportedStorageKey = (storageKey: string): void => {
    this.unsupportedKeys.add(storageKey);
  };

  /**
   * Tabs that see a platform authenticator: a CDP virtual authenticator
   * belongs to the DevTools session that added it, and a real one lives
   * outside the browser, so their passkeys (how many is unknowable) are not
   * in this capture.
   */
  passkeysUnreadable(origins: readonly string[]): void {
    if (origins.length === 0) return;
    this.warn(
      `passkeys not captured: ${listed(origins)} ` +
        "see an authenticator whose passkeys this capture cannot read (a CDP virtual authenticator belongs to the client that added it; " +
        "a platform authenticator lives outside the browser). A webrun session (launch, session) carries the passkeys of its own authenticator.",
    );
  }

  /**
   * Tabs that did not answer a trivial script in time (an open dialog, a
   * script that never yields): their pages were not read, and `instead`
   * says where their origins' storage came from.
   */
  tabsUnanswered(origins: readonly string[], instead: string): void {
    if (origins.length === 0) return;
    this.warn(
      `${listed(origins)}: tabs that did not answer within ${tabAnswerTimeoutMs / 1000} s (an open alert or confirm dialog, or a script that never yields), ` +
        `so their pages were not read; ${instead}, which may miss what those pages wrote in their last seconds`,
    );
  }

  /** A storage key the capture tried and failed to read: its storage is not in the result. */
  storageKeyUnread(key: StorageKeyParts, error: unknown): void {
    const where = key.topLevelSite && key.topLevelSite !== key.origin ? ` inside ${key.topLevelSite}` : "";
    const why = error instanceof Error ? error.message : "unknown error";
    this.unreadKeys.push(`${key.origin}${where} (${why})`);
  }

  warn(warning: string): void {
    this.warnings.push(warning);
  }

  report(state: BrowserState): StateReport {
    const unsupported = [...this.unsupportedKeys];
    const withUnsupportedValues = originsWithUnsupportedValues(state, this.indexedDbInSnapshot);
    const lost = (items: DroppedItems[]) => items.reduce((sum, item) => sum + item.count, 0);
    const passkeys = state.webauthn?.credentials.length ?? 0;
    return stateReport({
      cookies: kindReport(
        state.cookies.length,
        state.cookies.length + lost(this.cookiesDropped),
        this.cookiesDropped,
      ),
      origins: kindReport(
        state.origins.length - withUnsupportedValues.length,
        state.origins.length + unsupported.length + this.unreadKeys.length,
        [
          {
            reason: "storage not read: visiting the origin in a background tab failed",
            count: this.unreadKeys.length,
            examples: this.unreadKeys.slice(0, 5),
          },
          {
            reason: "storage key BrowserState cannot express (extension page, nonce or opaque partition)",
            count: unsupported.length,
            examples: unsupported.slice(0, 5),
          },
          unsupportedValuesDropped(withUnsupportedValues),
        ],
      ),
      extensions: kindReport(
        state.extensions.length - this.extensionsWithoutStorage.length,
        state.extensions.length,
        [
          {
            reason:
              "chrome.storage not captured: the service worker is asleep and the profile is not readable here",
            count: this.extensionsWithoutStorage.length,
            examples: this.extensionsWithoutStorage.slice(0, 5),
          },
        ],
      ),
      passkeys: kindReport(passkeys, passkeys + lost(this.passkeysDropped), this.passkeysDropped),
      warnings: this.warnings,
    });
  }
}
