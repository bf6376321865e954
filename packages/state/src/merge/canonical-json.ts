/**
 * JSON text with object keys in sorted order, so two values that mean the same
 * compare equal as strings whatever order their keys were captured in. Used
 * to decide whether a unit of state changed; never stored.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner).sort()) {
      Object.defineProperty(sorted, key, {
        value: (inner as Record<string, unknown>)[key],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return sorted;
  });
}
