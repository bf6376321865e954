import type { ReportedKind, StateReport } from "@webrun/state";

const kinds: readonly ReportedKind[] = ["cookies", "origins", "extensions", "passkeys"];

/**
 * A state report as lines for a person (stderr): one per kind that lost
 * something — `cookies: 3300/10000 (6700 over Chromium's caps…)` — and one
 * per warning. Nothing when the report is complete. Counts, reasons and
 * names only, as the report holds them: never a value.
 */
export function stateReportLines(what: string, report: StateReport): string[] {
  const lines: string[] = [];
  for (const kind of kinds) {
    const { kept, of, dropped } = report[kind];
    if (dropped.length === 0) continue;
    const reasons = dropped.map(
      (item) =>
        `${item.count} ${item.reason}${item.examples?.length ? ` (e.g. ${item.examples.join(", ")})` : ""}`,
    );
    lines.push(`${what}: ${kind}: ${kept}/${of} kept whole; ${reasons.join("; ")}`);
  }
  for (const warning of report.warnings) lines.push(`${what}: warning: ${warning}`);
  return lines;
}
