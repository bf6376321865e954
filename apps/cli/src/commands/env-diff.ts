import type { VersionDiff } from "@webrun/api-contract";
import type { Command } from "commander";
import { apiClientFrom, withApiOptions } from "../api-client/api-options.js";
import { formatTable, formatTime, type OutputOptions, print } from "../output-format.js";
import { parseVersion } from "../version-options.js";

type Changes<R> = { added: R[]; removed: R[]; changed: (R & { before: string; after: string })[] };

/** One table row per added, removed or changed unit: CHANGE KIND WHERE NAME FINGERPRINTS. */
function rowsOf<R>(kind: string, where: string, changes: Changes<R>, nameOf: (ref: R) => string): string[][] {
  return [
    ...changes.added.map((ref) => ["added", kind, where, nameOf(ref), ""]),
    ...changes.removed.map((ref) => ["removed", kind, where, nameOf(ref), ""]),
    ...changes.changed.map((ref) => ["changed", kind, where, nameOf(ref), `${ref.before} → ${ref.after}`]),
  ];
}

function presence(before: unknown, after: unknown): string {
  return before === undefined ? "added" : after === undefined ? "removed" : "changed";
}

/** The diff as a table: never a value, only names, counts and keyed fingerprints. */
export function describeVersionDiff(diff: VersionDiff): string {
  const { state } = diff;
  const rows: string[][] = [
    ...rowsOf("cookie", "", state.cookies, (c) =>
      [c.name, c.domain, c.path, c.partition ? `(partitioned: ${c.partition})` : ""]
        .filter(Boolean)
        .join(" "),
    ),
    ...state.storage.flatMap((s) => rowsOf(s.area, s.storageKey, s, (item) => item.name)),
    ...state.indexedDB.flatMap((db) => [
      ...(db.schemaChanged
        ? [
            [
              presence(db.versionBefore, db.versionAfter),
              "indexedDB",
              db.storageKey,
              `${db.database} (version ${db.versionBefore ?? "-"} → ${db.versionAfter ?? "-"})`,
              "",
            ],
          ]
        : []),
      ...db.stores
        .filter((store) => store.added + store.removed + store.changed > 0)
        .map((store) => [
          "records",
          "indexedDB",
          db.storageKey,
          `${db.database}/${store.name}: ${store.recordsBefore} → ${store.recordsAfter} (+${store.added} -${store.removed} ~${store.changed})`,
          "",
        ]),
    ]),
    ...state.extensions.flatMap((extension) => [
      ...(extension.versionBefore !== extension.versionAfter
        ? [
            [
              presence(extension.versionBefore, extension.versionAfter),
              "extension",
              extension.id,
              `version ${extension.versionBefore ?? "-"} → ${extension.versionAfter ?? "-"}`,
              "",
            ],
          ]
        : []),
      ...rowsOf("extension file", extension.id, extension.files, (file) => file.path),
      ...rowsOf("chrome.storage", extension.id, extension.storage, (entry) => `${entry.area}:${entry.key}`),
    ]),
    ...rowsOf("profile file", "", diff.profileFiles, (file) => file.path),
  ];
  const heading = `${diff.environmentId}: version ${diff.from.version} (${formatTime(diff.from.savedAt)}) → version ${diff.to.version} (${formatTime(diff.to.savedAt)})`;
  return rows.length === 0
    ? `${heading}\nno differences`
    : `${heading}\n${formatTable(["CHANGE", "KIND", "WHERE", "NAME", "FINGERPRINTS"], rows)}`;
}

/** `webrun-env env diff <id> <from> <to>`: what changed between two kept versions. */
export function registerEnvDiff(env: Command): void {
  withApiOptions(
    env
      .command("diff")
      .description("what changed between two kept versions, unit by unit (never a value)")
      .argument("<id>", "the environment")
      .argument("<from>", "the earlier version", parseVersion)
      .argument("<to>", "the later version", parseVersion)
      .addHelpText(
        "after",
        [
          "",
          "Cookies by name, domain, path and partition; storage items per origin and area;",
          "IndexedDB databases and their stores' record counts; extensions, their files and",
          "chrome.storage keys; a raw profile's files. A changed value shows as two keyed",
          "fingerprints (before → after): equal values give equal fingerprints in all your",
          "diffs, and the value itself is never shown.",
        ].join("\n"),
      ),
  ).action(async (id: string, from: number, to: number, options: OutputOptions) => {
    const answer = await apiClientFrom(options).diffVersions(id, from, to);
    print(options, answer, () => describeVersionDiff(answer.diff));
  });
}
