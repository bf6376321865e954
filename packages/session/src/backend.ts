import type { Readable } from "node:stream";
import type { OpenExtensionFile } from "@webrun/browser-state";
import type { BrowserState, StateChanges } from "@webrun/state";

/**
 * Where a session's environment lives: an in-process store
 * (`@webrun/session/store`) or, for an orchestrator on another machine, the
 * HTTP API. The session never touches storage any other way.
 */
export interface SessionBackend {
  /**
   * The environment's head and its files. Rejects with a `not_found`
   * WebrunError (`ENVIRONMENT_NOT_FOUND`) for an unknown or another user's
   * id — before any browser starts. `scratchDir` is an empty folder the
   * session owns and removes at close: a backend may unpack into it.
   */
  loadHead(environmentId: string, scratchDir: string): Promise<EnvironmentHead>;
  /** Saves a session's capture, merged three-way into whatever was saved since `mergeBase`. */
  saveState(environmentId: string, capture: SessionCapture): Promise<SavedVersion>;
  /**
   * Stores a file and attaches it to the environment: a finished download,
   * read from `path` on disk (an HTTP backend streams it from there) under `name`.
   */
  uploadFile(environmentId: string, file: { name: string; path: string }): Promise<EnvironmentFile>;
}

/** The environment as a session starts from it. */
export interface EnvironmentHead {
  /** The head version; `null` for an environment that was never saved (then `state` is empty). */
  version: number | null;
  state: BrowserState;
  /** The bytes of extension files the state lists without inline content. */
  openExtensionFile?: OpenExtensionFile;
  /** A folder holding the version's raw Chrome profile files (an uploaded profile), under `scratchDir`. */
  profileDir?: string;
  /** The environment's files, oldest first. */
  files: readonly EnvironmentFile[];
  /** A file's bytes, decrypted. */
  openFile(fileId: string): Promise<Readable>;
}

/** A file as the contract lists it. */
export interface EnvironmentFile {
  fileId: string;
  originalName: string;
  size: number;
}

export interface SessionCapture {
  /** What the session ends with; extension files inline. */
  state: BrowserState;
  /** The version the session started from (`null`: an environment with no version then). */
  mergeBase: number | null;
  /**
   * The storage snapshot: `dir`, a folder holding the session's fresh
   * `webrun-snapshot/` (it replaces the head's), or `drop`, why the head's
   * must go; absent, the head's is kept.
   */
  snapshot?: { dir: string } | { drop: string };
}

/** What a save did: the `saved` part of a session's receipt. */
export interface SavedVersion {
  version: number;
  baseVersion: number | null;
  /** False when nothing had been saved since the base: the capture became the head as it was. */
  merged: boolean;
  /** The versions saved since the base that this save was merged with. */
  mergedWith: number[];
  /** Units changed on both sides in different ways (resolved for the side captured later). */
  conflicts: number;
  /** What this session changed relative to its base. */
  changes: StateChanges;
  /**
   * What became of the environment's storage snapshot (service workers,
   * OPFS, IndexedDB values JSON cannot carry), which cannot be merged:
   * `replaced` by this session's fresh one, `kept`, or `dropped`, with why;
   * `null` when neither the head nor the session had one.
   */
  snapshot: { outcome: "replaced" | "kept" | "dropped"; reason: string } | null;
}
