/**
 * JSON text with object keys in sorted order, so two values that mean the same
 * compare equal as strings whatever order their keys were captured in. Used
 * to decide whether a unit of state changed; never stored. Written out by
 * hand: a `JSON.stringify` replacer that rebuilds sorted objects costs
 * several times more, and a merge canonicalises every unit of three states.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) {
    let text = "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) text += ",";
      const item: unknown = value[i];
      text += item === undefined || typeof item === "function" ? "null" : canonicalJson(item);
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  let text = "{";
  let first = true;
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || typeof item === "function") continue;
    text += `${first ? "" : ","}${JSON.stringify(key)}:${canonicalJson(item)}`;
    first = false;
  }
  return `${text}}`;
}
