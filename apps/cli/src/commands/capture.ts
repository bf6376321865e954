import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { captureState } from "@webrun/browser-state";
import { packEnvironmentArchive } from "@webrun/env-store";
import { WebrunError } from "@webrun/errors";
import type { Command } from "commander";

/** The output kinds `capture` writes, by file name. */
export function outputKind(file: string): "json" | "archive" {
  if (file.endsWith(".json")) return "json";
  if (file.endsWith(".tar.gz") || file.endsWith(".tgz")) return "archive";
  throw new WebrunError({
    kind: "invalid_input",
    code: "OUTPUT_KIND_UNKNOWN",
    message: `--out must end in .json (the state document) or .tar.gz (an environment archive): ${file}`,
  });
}

/**
 * Writes a file so it appears whole or not at all: a temporary sibling,
 * then a rename. The state holds secrets (cookies, tokens): owner-only mode.
 */
export async function writeFileAtomically(
  file: string,
  write: (temporary: string) => Promise<void>,
): Promise<void> {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString("hex")}.partial`,
  );
  try {
    await write(temporary);
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `webrun-env capture --cdp <url> --out <file>`: captures a running
 * Chromium (cookies, storage of every origin found, extensions) into a state
 * document or an environment archive. No request reaches a real server; a
 * failed capture leaves no output file.
 */
export function registerCapture(program: Command): void {
  program
    .command("capture")
    .description("capture a running Chromium's cookies, storage and extensions")
    .requiredOption("--cdp <url>", "the browser's DevTools endpoint: http://host:port or ws://…")
    .requiredOption("--out <file>", "where to write: .json (state document) or .tar.gz (environment archive)")
    .option("--origin <origin>", "also read this origin's storage (repeatable)", collect, [] as string[])
    .option("--profile-dir <dir>", "the browser's user-data-dir, if reachable: finds more origins")
    .addHelpText(
      "after",
      [
        "",
        "Origins are found without being listed: open tabs and their iframes, each tab's",
        "history, and (with --profile-dir) the profile's Local Storage and IndexedDB.",
        "Storage of origins without an open tab is read through an intercepted tab:",
        "no request reaches a real server. Prints a one-line JSON summary.",
        "",
        "Examples:",
        "  webrun-env capture --cdp http://127.0.0.1:9222 --out state.json",
        "  webrun-env capture --cdp ws://127.0.0.1:9222/devtools/browser/… --out env.tar.gz",
      ].join("\n"),
    )
    .action(async (options: { cdp: string; out: string; origin: string[]; profileDir?: string }) => {
      const kind = outputKind(options.out);
      const extensionFolders = new Map<string, string>();
      const state = await captureState(options.cdp, {
        origins: options.origin,
        ...(options.profileDir ? { profileDir: options.profileDir } : {}),
        inlineExtensionFiles: kind === "json",
        onExtensionFolder: (id, dir) => extensionFolders.set(id, dir),
      });
      await writeFileAtomically(options.out, async (temporary) => {
        if (kind === "json") {
          await writeFile(temporary, `${JSON.stringify(state)}\n`, { mode: 0o600 });
          return;
        }
        // Extension files stream from their folders into the archive, verified against the state.
        const archive = packEnvironmentArchive({
          state,
          extensionFiles: (id, filePath) =>
            createReadStream(path.join(extensionFolders.get(id) ?? "/nonexistent", ...filePath.split("/"))),
        });
        await pipeline(archive, createWriteStream(temporary, { mode: 0o600 }));
      });
      const summary = {
        out: options.out,
        cookies: state.cookies.length,
        origins: state.origins.length,
        extensions: state.extensions.length,
      };
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    });
}
