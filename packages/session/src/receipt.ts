import type { StateReport } from "@webrun/state";
import type { EnvironmentFile, SavedVersion } from "./backend.js";

/** Why a session's state was not saved. */
export type NotSavedCode =
  /** `close({ save: false })`. */
  | "DISCARDED"
  /** The browser was gone before the session closed: there was nothing left to capture. */
  | "BROWSER_EXITED"
  /** Reading the browser's state failed (the browser is closed and its profile removed all the same). */
  | "CAPTURE_FAILED";

/** Why a download was not uploaded. */
export type NotUploadedCode =
  /** Still downloading when the session closed. */
  | "IN_PROGRESS"
  | "CANCELED"
  /** `close({ save: false })` uploads nothing. */
  | "DISCARDED"
  /** The store refused it (too large, unavailable…): `message` says why. */
  | "UPLOAD_FAILED";

/** What closing a session did. */
export interface SessionReceipt {
  environmentId: string;
  /** The version this session's state became; `null` when nothing was saved (`notSaved` says why). */
  saved: SavedVersion | null;
  notSaved: { code: NotSavedCode; message: string } | null;
  /**
   * What the closing capture took, per kind, and what it dropped or cut
   * short with the reasons (`complete` false then); `null` when nothing was captured.
   */
  captured: StateReport | null;
  /** Finished downloads, uploaded as environment files (names made unique among the environment's files). */
  files: EnvironmentFile[];
  notUploaded: { name: string; code: NotUploadedCode; message: string }[];
  /** How long the close took: capture, save and uploads. */
  durationMs: number;
}
