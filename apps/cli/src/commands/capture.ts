import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ApiClient } from "@webrun/api-client";
import type { Command } from "commander";
import { type ApiOptions, apiClientFrom, withApiOptions } from "../api-client/api-options.js";
import { mergeStateFile, pushStateFile } from "../api-client/state-upload.js";
import { cliError } from "../errors.js";
import { outputKind } from "../output-file.js";
import { writeStateFile } from "../state-output.js";
import { type MergeBase, mergeBaseOption } from "../version-options.js";

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `webrun-env capture --cdp <url> --out <file>`: captures a running
 * Chromium (cookies, storage of every origin found, extensions) into a state
 * document or an environment archive, and/or (`--push <id>`) saves it as a
 * new version of an environment behind the API. No request reaches a real
 * site; a failed capture leaves no output file.
 */
export function registerCapture(program: Command): void {
  const command = program
    .command("capture")
    .description("capture a running Chromium's cookies, storage and extensions")
    .requiredOption("--cdp <url>", "the browser's DevTools endpoint: http://host:port or ws://…")
    .option("--out <file>", "where to write: .json (state document) or .tar.gz (environment archive)")
    .option("--push <id>", "save it as a new version of this environment behind the webrun API")
    .option("--origin <origin>", "also read this origin's storage (repeatable)", collect, [] as string[])
    .option("--profile-dir <dir>", "the browser's user-data-dir, if reachable: finds more origins")
    .addOption(mergeBaseOption())
    .addHelpText(
      "after",
      [
        "",
        "Origins are found without being listed: open tabs and their iframes, each tab's",
        "history, and (with --profile-dir) the profile's Local Storage and IndexedDB.",
        "Storage of origins without an open tab is read through an intercepted tab:",
        "no request reaches a real server. Prints a one-line JSON summary.",
        "",
        "A .tar.gz also keeps what page script cannot serialise (service workers and",
        "Cache Storage, OPFS, IndexedDB values such as a non-extractable CryptoKey) as a",
        "storage snapshot of the browser's profile folders, when that profile is readable",
        "here; it is seeded only into a Chromium of the same major version.",
        "",
        "Examples:",
        "  webrun-env capture --cdp http://127.0.0.1:9222 --out state.json",
        "  webrun-env capture --cdp ws://127.0.0.1:9222/devtools/browser/… --out env.tar.gz",
        "  WEBRUN_API_KEY=… webrun-env capture --cdp http://127.0.0.1:9222 --push 683a1f2e4b0c1d2e3f4a5b6c",
        "  webrun-env capture --cdp http://127.0.0.1:9222 --push 683a1f2e4b0c1d2e3f4a5b6c --merge-base 3",
      ].join("\n"),
    );
  withApiOptions(command, { json: false }).action(
    async (
      options: ApiOptions & {
        cdp: string;
        out?: string;
        push?: string;
        origin: string[];
        profileDir?: string;
        mergeBase?: MergeBase;
      },
    ) => {
      if (options.mergeBase !== undefined && options.push === undefined) {
        throw cliError({
          kind: "invalid_input",
          code: "MERGE_BASE_WITHOUT_PUSH",
          message:
            "--merge-base is the version a pushed capture started from: give --push <environment id> too",
        });
      }
      if (options.out === undefined && options.push === undefined) {
        throw cliError({
          kind: "invalid_input",
          code: "CAPTURE_TARGET_MISSING",
          message: "give --out <file>, --push <environment id>, or both",
        });
      }
      // The key is checked before the browser is touched; without --out the archive goes through a temporary folder.
      const client = options.push === undefined ? undefined : apiClientFrom(options);
      const scratch =
        options.out === undefined ? await mkdtemp(path.join(tmpdir(), "webrun-push-")) : undefined;
      let keepScratch = false;
      try {
        const out = options.out ?? path.join(scratch as string, "environment.tar.gz");
        // A merged push keeps the head's storage snapshot: whether this browser was seeded from it is unknown here,
        // and a snapshot of one that was not would replace the head's with less (sessions know, and refresh it).
        const summary = await captureToFile({
          ...options,
          out,
          storageSnapshot: options.mergeBase === undefined,
        });
        const pushed =
          client && options.push !== undefined
            ? await pushCapture(client, options.push, out, options.mergeBase).catch((error: unknown) => {
                // A browser session cannot be captured twice: keep what was taken so the push can be retried.
                if (scratch) {
                  keepScratch = true;
                  process.stderr.write(
                    `webrun-env: the capture is kept at ${out} (readable only by you); retry with: webrun-env env push ${options.push} ${out}${options.mergeBase === undefined ? "" : ` --merge-base ${options.mergeBase.version ?? "none"}`}\n`,
                  );
                }
                throw error;
              })
            : undefined;
        const result = {
          ...(options.out === undefined ? {} : { out: options.out }),
          ...summary,
          ...(pushed ? { pushed: { environmentId: options.push, ...pushed } } : {}),
        };
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        if (scratch && !keepScratch) await rm(scratch, { recursive: true, force: true });
      }
    },
  );
}

/** Pushes a capture: merged from `mergeBase` when given (answering the receipt's `saved` fields), else a replace. */
async function pushCapture(
  client: ApiClient,
  environmentId: string,
  file: string,
  mergeBase: MergeBase | undefined,
) {
  if (mergeBase === undefined) return { version: (await pushStateFile(client, environmentId, file)).version };
  return (await mergeStateFile(client, environmentId, file, mergeBase.version)).saved;
}

/**
 * Captures the browser into `out` (kind by its name) and counts what it
 * holds. An archive also carries a storage snapshot (service workers and
 * Cache Storage, OPFS, IndexedDB values JSON cannot carry) under
 * `profile/webrun-snapshot/`, when the browser's profile is readable here.
 */
async function captureToFile(options: {
  cdp: string;
  out: string;
  origin: string[];
  profileDir?: string;
  storageSnapshot: boolean;
}) {
  const kind = outputKind(options.out);
  const extensionFolders = new Map<string, string>();
  const { captureState, storageSnapshotFolder } = await import("@webrun/browser-state");
  const scratch = await mkdtemp(path.join(tmpdir(), "webrun-capture-"));
  try {
    const profileFiles = path.join(scratch, "profile");
    const withSnapshot = kind === "archive" && options.storageSnapshot;
    const { state, report, snapshot } = await captureState(options.cdp, {
      origins: options.origin,
      ...(options.profileDir ? { profileDir: options.profileDir } : {}),
      inlineExtensionFiles: kind === "json",
      onExtensionFolder: (id, dir) => extensionFolders.set(id, dir),
      ...(withSnapshot ? { storageSnapshotDir: path.join(profileFiles, storageSnapshotFolder) } : {}),
    });
    await writeStateFile(options.out, state, extensionFolders, snapshot ? profileFiles : undefined);
    return {
      cookies: state.cookies.length,
      origins: state.origins.length,
      extensions: state.extensions.length,
      ...(snapshot
        ? {
            storageSnapshot: {
              chromiumMajor: snapshot.chromiumMajor,
              folders: snapshot.folders.map((f) => f.label),
            },
          }
        : {}),
      report,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
