import type { BrowserState, DroppedItems, OriginState } from "@webrun/state";

/** Whether a typed-JSON value holds an `Unsupported` placeholder anywhere. */
function holdsUnsupported(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsUnsupported);
  if (value === null || typeof value !== "object") return false;
  if ((value as { $type?: unknown }).$type === "Unsupported") return true;
  return Object.values(value).some(holdsUnsupported);
}

/**
 * Origins with IndexedDB values that typed JSON could not carry (Blob, File,
 * CryptoKey…), less the first-party origins in `carriedBySnapshot` (whose
 * IndexedDB travels as a storage snapshot, every value intact).
 */
export function originsWithUnsupportedValues(
  state: BrowserState,
  carriedBySnapshot: ReadonlySet<string> = new Set(),
): OriginState[] {
  return state.origins.filter(
    (origin) =>
      !(origin.topLevelSite === undefined && carriedBySnapshot.has(origin.origin)) &&
      origin.indexedDB.some((database) =>
        database.objectStores.some((store) =>
          store.records.some((record) => holdsUnsupported(record.value) || holdsUnsupported(record.key)),
        ),
      ),
  );
}

/** The report line for those origins: kept, but without those values. */
export function unsupportedValuesDropped(origins: readonly OriginState[]): DroppedItems {
  return {
    reason: "IndexedDB values that cannot be serialised (Blob, File, CryptoKey…): placeholders, not restored",
    count: origins.length,
    examples: origins.slice(0, 5).map((origin) => origin.origin),
  };
}
