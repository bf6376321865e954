/** Timing helpers and the printed table of the benchmark. */

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Runs `work` and returns its result with the elapsed milliseconds. */
export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/**
 * Samples (ms) by row name, in the order rows were first recorded. A run
 * whose result was incomplete is counted, and kept out of the median.
 */
export class Samples {
  readonly #rows = new Map<string, number[]>();
  readonly #incomplete = new Map<string, number>();

  add(row: string, ms: number, complete = true): void {
    const list = this.#rows.get(row) ?? [];
    if (complete) list.push(ms);
    else this.#incomplete.set(row, this.incomplete(row) + 1);
    this.#rows.set(row, list);
  }

  incomplete(row: string): number {
    return this.#incomplete.get(row) ?? 0;
  }

  median(row: string): number {
    return median(this.#rows.get(row) ?? []);
  }

  rows(): [string, number[]][] {
    return [...this.#rows];
  }
}

export function formatMs(ms: number): string {
  return Number.isNaN(ms) ? "n/a" : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

export function formatRatio(ratio: number): string {
  return Number.isFinite(ratio) ? `${ratio >= 10 ? ratio.toFixed(1) : ratio.toFixed(2)}×` : "n/a";
}

/** A Markdown table: the README can quote the output as is. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 0 ? `${"-".repeat(w + 1)}-` : `${"-".repeat(w + 1)}:`)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}
