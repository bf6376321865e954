import {
  type BrowserState,
  type DroppedItems,
  type KindReport,
  kindReport,
  type StateReport,
  stateReport,
} from "@webrun/state";
import { originsWithUnsupportedValues, unsupportedValuesDropped } from "./unsupported-values.js";

/**
 * What a seed or restore carried into the browser: cookies as read back
 * (see `verifySeededCookies`), origins less those whose IndexedDB values
 * could not travel, and extensions less those not restored.
 */
export function seedReport(
  state: BrowserState,
  cookies: KindReport,
  extensionsDropped: DroppedItems = { reason: "", count: 0 },
): StateReport {
  const unsupported = originsWithUnsupportedValues(state);
  return stateReport({
    cookies,
    origins: kindReport(state.origins.length - unsupported.length, state.origins.length, [
      unsupportedValuesDropped(unsupported),
    ]),
    extensions: kindReport(state.extensions.length - extensionsDropped.count, state.extensions.length, [
      extensionsDropped,
    ]),
    warnings: [],
  });
}
