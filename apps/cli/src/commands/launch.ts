import type { SeededBrowser } from "@webrun/browser-state";
import { filterStateByDomain } from "@webrun/state";
import type { Command } from "commander";
import { type ApiOptions, withApiOptions } from "../api-client/api-options.js";
import {
  type DomainFilterOptions,
  domainFilterFrom,
  warnUnmatchedDomains,
  withDomainFilterOptions,
} from "../domain-filter-options.js";
import { cliError } from "../errors.js";
import { loadLaunchState } from "../launch-state.js";
import { explainNoDisplay } from "../no-display.js";
import { proxyPlanFrom } from "../proxy-option.js";
import { watchStopSignals } from "../stop-signals.js";

/**
 * `webrun-env launch --state <file> | --env <id>`: starts a fresh Chromium already
 * holding the state, prints `{"cdp","pid","http","pageTargetId"}` as one JSON
 * line once it is ready, and keeps it until SIGTERM/SIGINT; then closes it
 * and deletes its temporary profile.
 */
export function registerLaunch(program: Command): void {
  const command = program
    .command("launch")
    .description("start a fresh Chromium seeded with a captured state")
    .option("--state <file>", "the state: a .json document or a .tar.gz environment archive")
    .option("--env <id>", "or an environment stored behind the webrun API (its head version)")
    .option("--headless", "run without a window (needed where there is no screen)")
    .option("--proxy <json>", 'a proxy, e.g. {"source":"custom","type":"http","host":"…","port":8080}')
    .argument("[chromium-args...]", "extra Chromium flags, after --")
    .addHelpText(
      "after",
      [
        "",
        "Local Storage and extension storage are written into a new profile before",
        "Chromium starts; cookies, IndexedDB and sessionStorage are set before the",
        "endpoint is printed, so the first page sees them. sessionStorage lives in the",
        "tab named by pageTargetId: use that tab first.",
        "With --only-domain/--exclude-domain the ready line's notSeeded says what was left out.",
        "",
        "Example:",
        "  webrun-env launch --state state.json --headless -- --window-size=1280,800",
        "  WEBRUN_API_KEY=… webrun-env launch --env 683a1f2e4b0c1d2e3f4a5b6c --api http://127.0.0.1:8080",
        "  webrun-env launch --state state.json --only-domain mail.example.com --exclude-domain ads.example.com",
      ].join("\n"),
    );
  withDomainFilterOptions(command, "seed");
  withApiOptions(command, { json: false }).action(
    async (
      chromiumArgs: string[],
      options: ApiOptions &
        DomainFilterOptions & { state?: string; env?: string; headless?: boolean; proxy?: string },
    ) => {
      const filter = domainFilterFrom(options);
      const proxyPlan = options.proxy === undefined ? undefined : await proxyPlanFrom(options.proxy);
      const stop = watchStopSignals();
      let browser: SeededBrowser | undefined;
      try {
        const loaded = await loadLaunchState(options);
        const filtered = filter === undefined ? undefined : filterStateByDomain(loaded.state, filter);
        if (filtered) warnUnmatchedDomains(filtered.unmatched, "seed");
        try {
          const { launchSeeded } = await import("@webrun/browser-state");
          browser = await launchSeeded(filtered?.state ?? loaded.state, {
            headless: options.headless === true,
            args: chromiumArgs,
            ...(proxyPlan ? { proxyPlan } : {}),
            ...(loaded.openExtensionFile ? { openExtensionFile: loaded.openExtensionFile } : {}),
            ...(loaded.profileTemplateDir ? { profileTemplateDir: loaded.profileTemplateDir } : {}),
          }).catch(explainNoDisplay);
        } finally {
          // Extensions and profile files were copied into the browser's own temporary profile.
          await loaded.dispose();
        }
        if (stop.requested) return;
        const ready = {
          cdp: browser.cdpUrl,
          http: browser.httpUrl,
          pid: browser.pid,
          pageTargetId: browser.pageTargetId,
          report: browser.report,
          ...(filtered
            ? { notSeeded: { byDomainFilter: filtered.leftOut, unmatchedDomains: filtered.unmatched } }
            : {}),
        };
        process.stdout.write(`${JSON.stringify(ready)}\n`);
        const exited = browser.exited.then(() => "browser-exited" as const);
        if ((await Promise.race([stop.signalled, exited])) === "browser-exited") {
          throw cliError({
            kind: "unavailable",
            code: "BROWSER_EXITED",
            message: "the browser exited by itself",
          });
        }
      } finally {
        stop.dispose();
        await browser?.close();
      }
    },
  );
}
