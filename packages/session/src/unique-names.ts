import path from "node:path";

/**
 * A name that is safe as one path segment on disk: its last segment, with
 * NUL and separators gone; nothing usable becomes `file`. Stored names are
 * sanitised at upload already; this guards what a remote backend returns.
 */
export function diskSafeName(name: string): string {
  const base = path.posix.basename(name.replaceAll("\\", "/")).replaceAll("\0", "");
  return base === "" || base === "." || base === ".." ? "file" : base;
}

/** Hands out names unique within a folder: `report.pdf`, then `report (2).pdf`, `report (3).pdf`… */
export class UniqueNames {
  readonly #taken: Set<string>;

  constructor(taken: Iterable<string> = []) {
    this.#taken = new Set(taken);
  }

  claim(name: string): string {
    const extension = path.extname(name);
    const stem = name.slice(0, name.length - extension.length);
    let candidate = name;
    for (let n = 2; this.#taken.has(candidate); n++) candidate = `${stem} (${n})${extension}`;
    this.#taken.add(candidate);
    return candidate;
  }
}
