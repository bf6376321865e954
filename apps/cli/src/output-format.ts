import type { ApiOptions } from "./api-client/api-options.js";

/** Options of the commands that print an API answer. */
export interface OutputOptions extends ApiOptions {
  json?: boolean;
}

/**
 * Prints the API's answer as one JSON line with `--json`, else the human
 * text — with control characters (a name holding terminal escapes) shown as `?`.
 */
export function print(options: OutputOptions, answer: unknown, human: () => string): void {
  process.stdout.write(
    options.json ? `${JSON.stringify(answer)}\n` : `${human().replace(/[^\P{Cc}\n]/gu, "?")}\n`,
  );
}

/** A plain text table: a header row, then one row per item, columns padded to fit. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** `2026-11-23T18:48:17.123Z` → `2026-11-23 18:48:17Z`. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? iso.replace("T", " ").replace(/\.\d+Z$/, "Z") : "-";
}
