import { errorFactory, isWebrunError, type WebrunError } from "@webrun/errors";
import type { StateReport } from "@webrun/state";
import type { EnvironmentFile } from "./backend.js";

/** Every code @webrun/session throws. Clients and tests rely on them: add codes, never rename one. */
export type SessionErrorCode = "PROFILE_PATH_INVALID" | "SESSION_SAVE_FAILED" | "UNSAVED_CAPTURE_UNREADABLE";

export type SessionError = WebrunError<SessionErrorCode>;

/** Makes every error of @webrun/session; a code outside {@link SessionErrorCode} does not compile. */
export const sessionError = errorFactory<SessionErrorCode>();

export const sessionErrors = {
  /** The save failed; the capture is kept for a retry. The kind is the cause's (a 409 stays a 409). */
  saveFailed: (
    cause: unknown,
    details: {
      environmentId: string;
      mergeBase: number | null;
      folder: string;
      files: EnvironmentFile[];
      /** What the capture kept and dropped: a failed save still says so. */
      captured: StateReport;
    },
  ) =>
    sessionError({
      kind: isWebrunError(cause) ? cause.kind : "unavailable",
      code: "SESSION_SAVE_FAILED",
      message:
        `saving the session to environment ${details.environmentId} failed` +
        `${isWebrunError(cause) ? ` (${cause.message})` : ""}; nothing was saved. ` +
        `The capture is kept, readable only by you, in ${details.folder}: retry with ` +
        `retryUnsavedCapture(backend, ${JSON.stringify(details.folder)}) from @webrun/session, or send its ` +
        `capture.json "state" to PUT /environments/${details.environmentId}/state?base=${details.mergeBase ?? "none"}; ` +
        "then delete the folder",
      details: {
        folder: details.folder,
        mergeBase: details.mergeBase,
        files: details.files,
        captured: details.captured,
        ...(isWebrunError(cause) ? { causeCode: cause.code } : {}),
      },
      cause,
    }),
  /** The save failed and the capture could not be kept either: it is gone. */
  captureLost: (saveError: unknown, keepError: unknown, environmentId: string) =>
    sessionError({
      kind: isWebrunError(saveError) ? saveError.kind : "unavailable",
      code: "SESSION_SAVE_FAILED",
      message:
        `saving the session to environment ${environmentId} failed` +
        `${isWebrunError(saveError) ? ` (${saveError.message})` : ""}, and keeping the capture for a retry ` +
        `failed too (${keepError instanceof Error ? keepError.message : String(keepError)}): the session's changes are lost`,
      details: isWebrunError(saveError) ? { causeCode: saveError.code } : {},
      cause: saveError,
    }),
} as const;
