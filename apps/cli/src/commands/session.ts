import { isWebrunError } from "@webrun/errors";
import type { Session, SessionBackend } from "@webrun/session";
import type { StateReport } from "@webrun/state";
import { type Command, Option } from "commander";
import { type ApiOptions, apiClientFrom, withApiOptions } from "../api-client/api-options.js";
import { reportError } from "../cli-error.js";
import {
  type DomainFilterOptions,
  warnUnmatchedDomains,
  withDomainFilterOptions,
} from "../domain-filter-options.js";
import { cliError } from "../errors.js";
import { explainNoDisplay } from "../no-display.js";
import { proxyPlanFrom } from "../proxy-option.js";
import { stateReportLines } from "../state-report-lines.js";
import { watchStopSignals } from "../stop-signals.js";

interface SessionOptions extends ApiOptions, DomainFilterOptions {
  env?: string;
  headless?: boolean;
  proxy?: string;
  save: boolean;
  dataDir?: string;
  retry?: string;
  virtualAuthenticator?: boolean;
}

/** Where the environment lives: the API (default) or, with `--data-dir`, the embedded store opened here. */
async function openBackend(
  options: SessionOptions,
): Promise<{ backend: SessionBackend; close(): Promise<void> }> {
  if (options.dataDir !== undefined) {
    if (options.api !== undefined || options.key !== undefined) {
      throw cliError({
        kind: "invalid_input",
        code: "SESSION_SOURCE_INVALID",
        message: "give --data-dir (a local store) or --api/--key (the webrun API), not both",
      });
    }
    // Loaded only here: the API mode never loads the storage packages.
    const { localStoreBackend } = await import("../local-store.js");
    return localStoreBackend(options.dataDir);
  }
  const { apiBackend } = await import("@webrun/session/api");
  return { backend: apiBackend({ client: apiClientFrom(options) }), close: async () => undefined };
}

/** The same command with `--retry <folder>`: what a failed save prints. */
function retryCommand(folder: string, options: SessionOptions): string {
  const source =
    options.dataDir !== undefined
      ? ` --data-dir ${JSON.stringify(options.dataDir)}`
      : options.api
        ? ` --api ${options.api}`
        : "";
  return `webrun-env session --retry ${JSON.stringify(folder)}${source}`;
}

/**
 * `webrun-env session --env <id>`: a seeded browser attached to an
 * environment. Prints `{cdp, pid, environmentId, baseVersion, filesDir,
 * downloadsDir, seeded}` as one JSON line once the browser is ready; on
 * SIGTERM/SIGINT captures, saves (merged from the version it started at),
 * uploads finished downloads and prints the receipt as one JSON line.
 */
export function registerSession(program: Command): void {
  const command = program
    .command("session")
    .description("open a browser seeded from an environment; on SIGTERM/Ctrl-C save it back, merged")
    .option("--env <id>", "the environment")
    .option("--headless", "run without a window (needed where there is no screen)")
    .option("--proxy <json>", 'a proxy, e.g. {"source":"custom","type":"http","host":"…","port":8080}')
    .option("--no-save", "discard the session at the end: nothing saved, no download uploaded")
    .option(
      "--virtual-authenticator",
      "a virtual WebAuthn authenticator in every tab: passkeys made in the session are saved (on by default when the environment has passkeys)",
    )
    .option(
      "--data-dir <dir>",
      "use the store in this folder (the DATA_DIR of `pnpm start`) instead of the API",
    )
    .addOption(
      new Option("--retry <folder>", "save a capture a failed save kept, then remove it").conflicts(["env"]),
    )
    .argument("[chromium-args...]", "extra Chromium flags, after --")
    .addHelpText(
      "after",
      [
        "",
        "Prints one JSON line when the browser is ready:",
        '  {"cdp","pid","environmentId","baseVersion","filesDir","downloadsDir","seeded"}',
        "and stays up. SIGTERM or Ctrl-C captures the browser, saves it merged into whatever",
        "was saved since baseVersion, uploads finished downloads and prints the receipt as",
        "one JSON line (exit 0); its `captured` says per kind what the capture kept and what",
        "it dropped, and why (also on stderr when something was dropped). The browser",
        "closing by itself saves nothing (exit 2).",
        "",
        "Example:",
        "  webrun-env session --env 683a1f2e4b0c1d2e3f4a5b6c --headless -- --window-size=1280,800",
        "  webrun-env session --env 683a1f2e4b0c1d2e3f4a5b6c --data-dir .data",
      ].join("\n"),
    );
  withDomainFilterOptions(command, "seed");
  withApiOptions(command, { json: false }).action(async (chromiumArgs: string[], options: SessionOptions) => {
    if (options.retry !== undefined) {
      const { retryUnsavedCapture } = await import("@webrun/session");
      const { backend, close } = await openBackend(options);
      try {
        const saved = await retryUnsavedCapture(backend, options.retry);
        process.stdout.write(`${JSON.stringify({ saved })}\n`);
      } finally {
        await close();
      }
      return;
    }
    if (options.env === undefined) {
      throw cliError({
        kind: "invalid_input",
        code: "SESSION_SOURCE_INVALID",
        message: "give --env <environment id> (`webrun-env env list` shows yours)",
      });
    }
    const proxy = options.proxy === undefined ? undefined : await proxyPlanFrom(options.proxy);
    const stop = watchStopSignals();
    const { backend, close } = await openBackend(options);
    try {
      const { openSession } = await import("@webrun/session");
      const session = await openSession({
        backend,
        environmentId: options.env,
        headless: options.headless === true,
        chromeArgs: chromiumArgs,
        ...(proxy ? { proxy } : {}),
        ...(options.onlyDomain ? { onlyDomains: options.onlyDomain } : {}),
        ...(options.excludeDomain ? { excludeDomains: options.excludeDomain } : {}),
        ...(options.virtualAuthenticator ? { virtualAuthenticator: true } : {}),
      }).catch(explainNoDisplay);
      const { cdpUrl, pid, environmentId, baseVersion, filesDir, downloadsDir, seeded } = session;
      warnUnmatchedDomains(seeded.notSeeded.unmatchedDomains, "seed");
      // A signal during the launch still gets the browser closed and saved, without a ready line.
      if (!stop.requested) {
        process.stdout.write(
          `${JSON.stringify({ cdp: cdpUrl, http: session.httpUrl, pageTargetId: session.pageTargetId, pid, environmentId, baseVersion, filesDir, downloadsDir, seeded })}\n`,
        );
      }
      const ended = await Promise.race([
        stop.signalled,
        session.exited.then(() => "browser-exited" as const),
      ]);
      const receipt = await closeSession(session, options);
      if (receipt.captured) printCaptureReport(receipt.captured);
      process.stdout.write(`${JSON.stringify(receipt)}\n`);
      if (ended === "browser-exited") {
        throw cliError({
          kind: "unavailable",
          code: "BROWSER_EXITED",
          message: `the browser exited by itself: ${receipt.notSaved?.message ?? "nothing was saved"}`,
        });
      }
    } finally {
      stop.dispose();
      await close();
    }
  });
}

/** What the closing capture dropped, and why, for the person at the terminal (the receipt has it all). */
function printCaptureReport(report: StateReport): void {
  for (const line of stateReportLines("webrun-env: session capture", report))
    process.stderr.write(`${line}\n`);
}

/** Closes the session; a failed save says how to retry from this command line. */
async function closeSession(session: Session, options: SessionOptions) {
  try {
    return await session.close({ save: options.save });
  } catch (error) {
    if (!isWebrunError(error, "SESSION_SAVE_FAILED") || typeof error.details.folder !== "string") throw error;
    // What the kept capture holds and lacks: the retry saves exactly that.
    printCaptureReport(error.details.captured as StateReport);
    reportError(error);
    throw cliError({
      kind: error.kind,
      code: "SESSION_SAVE_FAILED",
      message: `retry with: ${retryCommand(error.details.folder, options)}`,
      details: error.details,
    });
  }
}
