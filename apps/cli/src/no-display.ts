import { isWebrunError } from "@webrun/errors";
import { cliError } from "./errors.js";

/**
 * Rethrows Chromium's "no display" failure (a windowed launch on a machine
 * without a screen) with the fix this command line has, `--headless`; any
 * other error unchanged. For `.catch` on a launch.
 */
export function explainNoDisplay(error: unknown): never {
  if (!isWebrunError(error, "CHROMIUM_NO_DISPLAY")) throw error;
  throw cliError({
    kind: error.kind,
    code: "CHROMIUM_NO_DISPLAY",
    message:
      "no display to open the browser's window on ($DISPLAY and $WAYLAND_DISPLAY are unset, or nothing answers there): add --headless and drive the browser through the cdp URL it prints, or run in a desktop session or under xvfb-run",
    cause: error,
  });
}
