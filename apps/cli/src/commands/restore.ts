import type { Command } from "commander";
import { loadStateFile } from "../state-file.js";

/**
 * `webrun-env restore --cdp <url> --state <file>`: seeds an already running
 * browser over CDP alone and prints a one-line JSON summary.
 */
export function registerRestore(program: Command): void {
  program
    .command("restore")
    .description("restore a captured state into a running Chromium")
    .requiredOption("--cdp <url>", "the browser's DevTools endpoint: http://host:port or ws://…")
    .requiredOption("--state <file>", "the state: a .json document or a .tar.gz environment archive")
    .addHelpText(
      "after",
      [
        "",
        "Sets the cookies, then writes every origin's localStorage, sessionStorage and",
        "IndexedDB through one intercepted tab (no request reaches a real server), and",
        "chrome.storage of extensions the browser already has. sessionStorage is put in",
        "a tab of its own, left open on about:blank (its id is printed as pageTargetId).",
        "",
        "Example:",
        "  webrun-env restore --cdp http://127.0.0.1:9222 --state state.json",
      ].join("\n"),
    )
    .action(async (options: { cdp: string; state: string }) => {
      const loaded = await loadStateFile(options.state);
      const { restoreState } = await import("@webrun/browser-state");
      const result = await restoreState(options.cdp, loaded.state).finally(() => loaded.dispose());
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
