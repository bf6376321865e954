import { InvalidArgumentError, Option } from "commander";

/** Commander parser for a version number. */
export function parseVersion(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new InvalidArgumentError("must be a version number (1, 2, …)");
  return Number(value);
}

/** A parsed `--merge-base`, boxed: commander would turn a parsed `null` into "". */
export interface MergeBase {
  /** `null`: the session started from an environment with no version (`none`). */
  version: number | null;
}

/** Commander parser for a merge base: a version number, or `none` for an environment that had no version. */
function parseMergeBase(value: string): MergeBase {
  return { version: value === "none" ? null : parseVersion(value) };
}

/** The option naming the version a captured session started from (its save is merged, not a replace). */
export function mergeBaseOption(): Option {
  return new Option(
    "--merge-base <version|none>",
    "the version the browser session started from: merge into what others saved since",
  ).argParser(parseMergeBase);
}
