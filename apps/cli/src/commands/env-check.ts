import type { LoginMarker, PageProbe, SeededBrowser } from "@webrun/browser-state";
import { type Command, InvalidArgumentError } from "commander";
import { type ApiOptions, withApiOptions } from "../api-client/api-options.js";
import { cliError } from "../errors.js";
import { loadLaunchState } from "../launch-state.js";
import { print } from "../output-format.js";
import { watchStopSignals } from "../stop-signals.js";

interface CheckOptions extends ApiOptions {
  url: string;
  titleContains?: string;
  selector?: string;
  wait: number;
  json?: boolean;
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {}
  throw new InvalidArgumentError("must be an http(s) URL");
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!(seconds >= 0 && seconds <= 600)) throw new InvalidArgumentError("must be seconds from 0 to 600");
  return seconds;
}

function markerOf(options: CheckOptions): LoginMarker {
  const given = [options.titleContains, options.selector].filter((m) => m !== undefined);
  if (given.length !== 1)
    throw cliError({
      kind: "invalid_input",
      code: "LOGIN_MARKER_INVALID",
      message: "give exactly one logged-in marker: --title-contains <text> or --selector <css>",
    });
  return options.titleContains !== undefined
    ? { titleContains: options.titleContains }
    : { selector: options.selector as string };
}

function describeProbe(probe: PageProbe, marker: LoginMarker): string {
  const what =
    "titleContains" in marker
      ? `title ${probe.matched ? "contains" : "does not contain"} ${JSON.stringify(marker.titleContains)}`
      : `selector ${JSON.stringify(marker.selector)} ${probe.matched ? "matched" : "matched nothing"}`;
  return [
    probe.matched ? "logged in" : "not logged in",
    `  ${what}`,
    `  title      ${JSON.stringify(probe.title)}`,
    `  final URL  ${probe.url}`,
  ].join("\n");
}

/**
 * `webrun-env env check <id> --url <u> (--title-contains <t> | --selector <css>)`:
 * seeds a headless browser from the environment's head (as `launch --env`
 * does), loads the page and says whether it shows the logged-in marker.
 * Exit 0 logged in, 1 not (or bad input), 2 when the page could not be loaded.
 */
export function registerEnvCheck(env: Command): void {
  withApiOptions(
    env
      .command("check")
      .description("is the environment still logged in? seeds a headless browser and looks at a page")
      .argument("<id>", "the environment")
      .requiredOption("--url <url>", "the page to load, e.g. https://mail.example.com/inbox", parseUrl)
      .option("--title-contains <text>", "logged in when the page title contains this text")
      .option("--selector <css>", "logged in when this CSS selector matches an element")
      .option("--wait <seconds>", "how long after load the marker may take to appear", parseSeconds, 5)
      .addHelpText(
        "after",
        [
          "",
          "Prints what the page showed (its title, whether the marker matched, the URL it",
          "ended on after redirects); never a cookie or stored value. Exit codes: 0 the",
          "page shows the marker, 1 it does not (or a bad argument), 2 the page could not",
          "be loaded (DNS, refused, TLS, timeout) or the API could not be reached.",
          "",
          "Example:",
          "  webrun-env env check $id --url https://mail.example.com/ --selector '#inbox'",
        ].join("\n"),
      ),
  ).action(async (id: string, options: CheckOptions) => {
    const marker = markerOf(options);
    const { launchSeeded, probePage } = await import("@webrun/browser-state");
    // Ctrl-C while it runs still closes the browser and removes its profile.
    const stop = watchStopSignals();
    let browser: SeededBrowser | undefined;
    try {
      const loaded = await loadLaunchState({ ...options, env: id });
      try {
        browser = await launchSeeded(loaded.state, {
          headless: true,
          ...(loaded.openExtensionFile ? { openExtensionFile: loaded.openExtensionFile } : {}),
          ...(loaded.profileTemplateDir ? { profileTemplateDir: loaded.profileTemplateDir } : {}),
        });
      } finally {
        await loaded.dispose();
      }
      const probe = await Promise.race([
        probePage(browser.cdpUrl, browser.pageTargetId, options.url, marker, {
          markerWaitMs: options.wait * 1000,
        }),
        stop.signalled.then(() => {
          throw cliError({ kind: "invalid_input", code: "CHECK_INTERRUPTED", message: "interrupted" });
        }),
      ]);
      print(options, { environmentId: id, loggedIn: probe.matched, ...probe }, () =>
        describeProbe(probe, marker),
      );
      if (!probe.matched)
        throw cliError({
          kind: "precondition_failed",
          code: "NOT_LOGGED_IN",
          message: `${options.url} does not show the logged-in marker`,
        });
    } finally {
      stop.dispose();
      await browser?.close();
    }
  });
}
