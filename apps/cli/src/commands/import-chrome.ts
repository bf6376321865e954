import { mkdtemp, rm } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import type {
  CaptureResult,
  LaunchedBrowser,
  LinuxPasswordStore,
  PasswordStore,
} from "@webrun/browser-state";
import { filterStateByDomain } from "@webrun/state";
import { type Command, Option } from "commander";
import { type ApiOptions, apiClientFrom, withApiOptions } from "../api-client/api-options.js";
import { mergeStateFile } from "../api-client/state-upload.js";
import { resolveProfileDir } from "../chrome-import/browser-profiles.js";
import { checkChromiumProfile, copyProfile, runningBrowserOf } from "../chrome-import/profile-copy.js";
import {
  type DomainFilterOptions,
  domainFilterFrom,
  warnUnmatchedDomains,
  withDomainFilterOptions,
} from "../domain-filter-options.js";
import { cliError } from "../errors.js";
import { outputKind } from "../output-file.js";
import { writeStateFile } from "../state-output.js";
import { stateReportLines } from "../state-report-lines.js";
import { watchStopSignals } from "../stop-signals.js";

interface ImportOptions extends ApiOptions, DomainFilterOptions {
  profileDir: string;
  browser?: string;
  passwordStore: PasswordStore;
  out?: string;
  push?: string;
}

const linuxPasswordStores = [
  "basic",
  "gnome-libsecret",
  "kwallet",
  "kwallet5",
  "kwallet6",
] as const satisfies readonly LinuxPasswordStore[];

/** Nothing in the imported profile may reach a real site while we read it (extensions, restored tabs). */
const noNetwork = "--host-resolver-rules=MAP * ~NOTFOUND";

/**
 * `webrun-env import-chrome --profile-dir <dir | browser:profile>`: the
 * logins of a desktop Chrome (Chromium, Edge, Brave) profile. Chrome keeps
 * cookies encrypted with a key only it can use on that machine, and refuses
 * remote debugging on its default profile; so a private copy of the profile
 * is opened by the real browser binary, headless, with a loopback DevTools
 * port, and captured over CDP (the browser decrypts its own cookies). The
 * copy is removed whatever happens, Ctrl-C included.
 */
export function registerImportChrome(program: Command): void {
  const command = program
    .command("import-chrome")
    .description("import the logins of a desktop Chrome, Chromium, Edge or Brave profile")
    .requiredOption(
      "--profile-dir <dir>",
      "the profile folder (e.g. ~/.config/google-chrome/Default), or <browser>:<profile> for a default location: chrome:Default, chromium:Profile 1, edge:…, brave:…",
    )
    .option(
      "--browser <path>",
      "the browser binary that wrote the profile (default: $CHROME_PATH, else chromium on PATH)",
    )
    .addOption(
      new Option("--password-store <store>", "Linux: the keyring the profile's cookies are encrypted with")
        .choices(linuxPasswordStores)
        .default("system", "the one the browser picks by itself here, as when it wrote the profile"),
    )
    .option(
      "--out <file>",
      "write the state here: .json (state document) or .tar.gz (environment archive), mode 0600",
    )
    .option("--push <id>", "save it into this environment behind the webrun API, merged with what it holds");
  withDomainFilterOptions(command, "import");
  command.addHelpText(
    "after",
    [
      "",
      "The profile folder and its user-data-dir's Local State are copied (caches, locks and",
      "Singleton* left behind) into a private temporary folder; the browser opens the copy",
      "headless, with no network, and is captured over DevTools on 127.0.0.1. A browser still",
      "running on the profile is fine: the copy holds what it has written so far.",
      "Extensions are not imported. --push merges into the environment: logins of other",
      "domains it already holds stay. An import that keeps nothing (e.g. an --only-domain that",
      "matched nothing) writes and pushes nothing and exits 1.",
      "Prints a one-line JSON summary: cookies and origins imported, left out by the filter.",
      "",
      "Examples:",
      "  webrun-env import-chrome --profile-dir chrome:Default --only-domain github.com --out github.json",
      '  webrun-env import-chrome --profile-dir "edge:Profile 1" --browser /usr/bin/microsoft-edge --push 683a1f2e4b0c1d2e3f4a5b6c',
    ].join("\n"),
  );
  withApiOptions(command, { json: false }).action(async (options: ImportOptions) => {
    if (options.out === undefined && options.push === undefined) {
      throw cliError({
        kind: "invalid_input",
        code: "IMPORT_TARGET_MISSING",
        message: "give --out <file>, --push <environment id>, or both",
      });
    }
    if (options.out !== undefined) outputKind(options.out);
    // Everything that can be refused is refused before the profile is copied.
    const client = options.push === undefined ? undefined : apiClientFrom(options);
    const filter = domainFilterFrom(options);
    const profileDir = path.resolve(
      resolveProfileDir(options.profileDir, {
        platform: process.platform,
        homeDir: homedir(),
        env: process.env,
      }),
    );
    await checkChromiumProfile(profileDir);
    const { checkChromiumBinary, findChromium } = await import("@webrun/browser-state");
    const executablePath = options.browser ?? findChromium();
    const version = await checkChromiumBinary(executablePath);
    const running = await runningBrowserOf(profileDir);
    if (running !== undefined) {
      process.stderr.write(
        `webrun-env: note: ${running} is running on ${profileDir}: importing from a copy of what it has written so far\n`,
      );
    }

    const { state: captured, report } = await captureProfileCopy(
      profileDir,
      executablePath,
      options.passwordStore,
    );
    for (const line of stateReportLines("webrun-env: import capture", report))
      process.stderr.write(`${line}\n`);
    const filtered = filter === undefined ? undefined : filterStateByDomain(captured, filter);
    const state = filtered?.state ?? captured;
    if (filtered) warnUnmatchedDomains(filtered.unmatched, "import");
    if (state.cookies.length === 0 && state.origins.length === 0) {
      throw cliError({
        kind: "invalid_input",
        code: "IMPORT_NOTHING_TO_SAVE",
        message: `nothing to import: ${
          filtered && captured.cookies.length + captured.origins.length > 0
            ? "the domain filter left out every cookie and origin"
            : "the profile holds no cookies or site storage"
        }; nothing written or pushed`,
      });
    }
    const scratch =
      options.out === undefined ? await mkdtemp(path.join(tmpdir(), "webrun-import-")) : undefined;
    try {
      const out = options.out ?? path.join(scratch as string, "state.json");
      await writeStateFile(out, state);
      const pushed =
        client && options.push !== undefined
          ? (await mergeStateFile(client, options.push, out, null)).saved
          : undefined;
      const summary = {
        profileDir,
        ...(version ? { browser: version } : {}),
        cookies: state.cookies.length,
        origins: state.origins.length,
        captured: report,
        ...(filtered ? { leftOut: filtered.leftOut, unmatchedDomains: filtered.unmatched } : {}),
        ...(options.out === undefined ? {} : { out: options.out }),
        ...(pushed ? { pushed: { environmentId: options.push, ...pushed } } : {}),
      };
      process.stdout.write(`${JSON.stringify(summary)}\n`);
    } finally {
      if (scratch) await rm(scratch, { recursive: true, force: true });
    }
  });
}

/**
 * Copies the profile into a private temporary folder (0700, from mkdtemp),
 * opens it headless and captures it; the copy is gone when this settles.
 * SIGTERM/SIGINT end the browser at once and reject once the copy is removed.
 */
async function captureProfileCopy(
  profileDir: string,
  executablePath: string,
  passwordStore: PasswordStore,
): Promise<CaptureResult> {
  const stop = watchStopSignals();
  const userDataDir = await mkdtemp(path.join(tmpdir(), "webrun-chrome-copy-"));
  let browser: LaunchedBrowser | undefined;
  void stop.signalled.then(() => browser?.close());
  const work = (async () => {
    const { launchChromium, teardownCapture } = await import("@webrun/browser-state");
    await copyProfile(profileDir, userDataDir);
    if (stop.requested) return undefined;
    browser = await launchChromium({
      userDataDir,
      executablePath,
      headless: true,
      passwordStore,
      args: [noNetwork],
    });
    if (stop.requested) return undefined;
    return teardownCapture(browser, { includeExtensions: false });
  })();
  try {
    const captured = await Promise.race([work, stop.signalled.then(() => undefined)]);
    if (captured === undefined) {
      throw cliError({
        kind: "unavailable",
        code: "IMPORT_INTERRUPTED",
        message: "interrupted: nothing imported; the copy of the profile was removed",
      });
    }
    return captured;
  } finally {
    // A step still under way stops at its next check; nothing may write into the copy once it is removed.
    await work.catch(() => undefined);
    await (browser as LaunchedBrowser | undefined)?.close().catch(() => undefined);
    await rm(userDataDir, { recursive: true, force: true });
    stop.dispose();
  }
}
