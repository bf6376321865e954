/**
 * @webrun/session — the session lifecycle: `openSession` seeds a fresh
 * Chromium from an environment's head (with its files and a downloads
 * folder); `close` captures, saves merged from where it started, uploads
 * finished downloads and hands back a receipt. Storage comes through a
 * `SessionBackend`: `@webrun/session/store` for an in-process store.
 */
export type {
  EnvironmentFile,
  EnvironmentHead,
  SavedVersion,
  SessionBackend,
  SessionCapture,
} from "./backend.js";
export type { SessionError, SessionErrorCode } from "./errors.js";
export type { NotSavedCode, NotUploadedCode, SessionReceipt } from "./receipt.js";
export type { SeedReport } from "./seed-plan.js";
export { type OpenSessionOptions, openSession, type Session } from "./session.js";
export { retryUnsavedCapture } from "./unsaved-capture.js";
