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

/** What a storage snapshot added to a seed: origins whose IndexedDB it carried, and what it could not seed. */
export interface SnapshotOutcome {
  indexedDbOrigins: ReadonlySet<string>;
  skipped: readonly string[];
}

/**
 * What a seed or restore carried into the browser: cookies as read back
 * (see `verifySeededCookies`), origins less those whose IndexedDB values
 * could not travel (unless a storage snapshot carried them), extensions
 * less those not restored, passkeys less those no virtual authenticator
 * took, and the snapshot's skipped folders as warnings.
 */
export function seedReport(
  state: BrowserState,
  cookies: KindReport,
  {
    extensionsDropped = none,
    passkeysDropped = none,
    snapshot = { indexedDbOrigins: new Set(), skipped: [] },
  }: { extensionsDropped?: DroppedItems; passkeysDropped?: DroppedItems; snapshot?: SnapshotOutcome } = {},
): StateReport {
  const unsupported = originsWithUnsupportedValues(state, snapshot.indexedDbOrigins);
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
    warnings: [...snapshot.skipped],
  });
}
