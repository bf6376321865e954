import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseBrowserState } from "@webrun/state";
import type { SavedVersion, SessionBackend, SessionCapture } from "./backend.js";
import { sessionError } from "./errors.js";

/** The file in an unsaved-capture folder: the save's input, exactly. */
export const UNSAVED_CAPTURE_FILE = "capture.json";
/** Where an unsaved-capture folder keeps the session's fresh storage snapshot. */
const UNSAVED_SNAPSHOT_DIR = "snapshot";

/**
 * Keeps a capture whose save failed, readable only by its owner (cookies
 * and tokens are in it): a 0700 folder holding a 0600 `capture.json` with
 * the environment id, the merge base, the state and what becomes of the
 * storage snapshot, and a fresh snapshot in `snapshot/`. Returns the folder.
 */
export async function keepUnsavedCapture(
  parent: string,
  environmentId: string,
  capture: SessionCapture,
): Promise<string> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const folder = await mkdtemp(path.join(parent, `${environmentId}-`));
  await chmod(folder, 0o700);
  const { snapshot } = capture;
  if (snapshot !== undefined && "dir" in snapshot) {
    await cp(snapshot.dir, path.join(folder, UNSAVED_SNAPSHOT_DIR), { recursive: true });
  }
  const body = JSON.stringify({
    environmentId,
    mergeBase: capture.mergeBase,
    state: capture.state,
    ...(snapshot === undefined ? {} : { snapshot: "dir" in snapshot ? "kept" : snapshot }),
  });
  await writeFile(path.join(folder, UNSAVED_CAPTURE_FILE), body, { mode: 0o600, flag: "wx" });
  return folder;
}

/**
 * Saves a capture kept by a failed close (the folder its error names),
 * merged from the base it started at, then removes the folder.
 */
export async function retryUnsavedCapture(backend: SessionBackend, folder: string): Promise<SavedVersion> {
  let kept: {
    environmentId: string;
    mergeBase: number | null;
    state: unknown;
    snapshot?: "kept" | { drop: string };
  };
  try {
    kept = JSON.parse(await readFile(path.join(folder, UNSAVED_CAPTURE_FILE), "utf8"));
  } catch (error) {
    throw sessionError({
      kind: "invalid_input",
      code: "UNSAVED_CAPTURE_UNREADABLE",
      message: `no readable ${UNSAVED_CAPTURE_FILE} in ${folder}`,
      cause: error,
    });
  }
  const snapshot =
    kept.snapshot === "kept" ? { dir: path.join(folder, UNSAVED_SNAPSHOT_DIR) } : kept.snapshot;
  const saved = await backend.saveState(kept.environmentId, {
    state: parseBrowserState(kept.state),
    mergeBase: kept.mergeBase,
    ...(snapshot ? { snapshot } : {}),
  });
  await rm(folder, { recursive: true, force: true });
  return saved;
}
