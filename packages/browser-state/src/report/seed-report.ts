import {
  type BrowserState,
  type DroppedItems,
  type KindReport,
  kindReport,
  type StateReport,
  stateReport,
} from "@webrun/state";
import { originsWithUnsupportedValues, unsupportedValuesDropped } from "./unsupported-values.js";

const none: DroppedItems = { reason: "", count: 0 };

/**
 * What a seed or restore carried into the browser: cookies as read back
 * (see `verifySeededCookies`), origins less those whose IndexedDB values
 * could not travel, extensions less those not restored, and passkeys less
 * those no virtual authenticator took.
 */
export function seedReport(
  state: BrowserState,
  cookies: KindReport,
  {
    extensionsDropped = none,
    passkeysDropped = none,
  }: { extensionsDropped?: DroppedItems; passkeysDropped?: DroppedItems } = {},
): StateReport {
  const unsupported = originsWithUnsupportedValues(state);
  const passkeys = state.webauthn?.credentials.length ?? 0;
  return stateReport({
    cookies,
    origins: kindReport(state.origins.length - unsupported.length, state.origins.length, [
      unsupportedValuesDropped(unsupported),
    ]),
    extensions: kindReport(state.extensions.length - extensionsDropped.count, state.extensions.length, [
      extensionsDropped,
    ]),
    passkeys: kindReport(passkeys - passkeysDropped.count, passkeys, [passkeysDropped]),
    warnings: [],
  });
}
