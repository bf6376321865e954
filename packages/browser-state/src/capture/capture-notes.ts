import {
  type BrowserState,
  type DroppedItems,
  keptAll,
  kindReport,
  type StateReport,
  stateReport,
} from "@webrun/state";

/**
 * What a capture could not read or keep, gathered while it runs and turned
 * into its {@link StateReport} at the end: nothing is dropped without a word.
 */
export class CaptureNotes {
  readonly warnings: string[] = [];
  readonly cookiesDropped: DroppedItems[] = [];
  private readonly unsupportedKeys = new Set<string>();

  /** A storage key BrowserState cannot express (extension pages, nonce or opaque partitions). */
  unsupportedStorageKey = (storageKey: string): void => {
    this.unsupportedKeys.add(storageKey);
  };

  warn(warning: string): void {
    this.warnings.push(warning);
  }

  report(state: BrowserState, extensionsDropped: readonly DroppedItems[] = []): StateReport {
    const unsupported = [...this.unsupportedKeys];
    const withUnsupportedValues = state.origins.filter((origin) =>
      origin.indexedDB.some((database) =>
        database.objectStores.some((store) =>
          store.records.some((record) => holdsUnsupported(record.value) || holdsUnsupported(record.key)),
        ),
      ),
    );
    const cookieLoss = this.cookiesDropped.reduce((sum, item) => sum + item.count, 0);
    const extensionLoss = extensionsDropped.reduce((sum, item) => sum + item.count, 0);
    return stateReport({
      cookies: kindReport(state.cookies.length, state.cookies.length + cookieLoss, this.cookiesDropped),
      origins: kindReport(
        state.origins.length - withUnsupportedValues.length,
        state.origins.length + unsupported.length,
        [
          {
            reason: "storage key BrowserState cannot express (extension page, nonce or opaque partition)",
            count: unsupported.length,
            examples: unsupported.slice(0, 5),
          },
          {
            reason:
              "IndexedDB values that cannot be serialised (Blob, File, CryptoKey…) kept as placeholders and not restored",
            count: withUnsupportedValues.length,
            examples: withUnsupportedValues.slice(0, 5).map((origin) => origin.origin),
          },
        ],
      ),
      extensions:
        extensionLoss === 0
          ? keptAll(state.extensions.length)
          : kindReport(state.extensions.length, state.extensions.length + extensionLoss, extensionsDropped),
      warnings: this.warnings,
    });
  }
}

/** Whether a typed-JSON value holds an `Unsupported` placeholder anywhere. */
function holdsUnsupported(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsUnsupported);
  if (value === null || typeof value !== "object") return false;
  if ((value as { $type?: unknown }).$type === "Unsupported") return true;
  return Object.values(value).some(holdsUnsupported);
}
