import { type ErrorKind, errorFactory, type WebrunError } from "@webrun/errors";

/** Every code @webrun/env-store throws. Clients and tests rely on them: add codes, never rename one. */
export type EnvStoreErrorCode =
  | "ARCHIVE_BOMB"
  | "ARCHIVE_CORRUPT"
  | "ARCHIVE_DEVICE_REFUSED"
  | "ARCHIVE_DUPLICATE_ENTRY"
  | "ARCHIVE_ENTRY_TYPE_REFUSED"
  | "ARCHIVE_LINK_REFUSED"
  | "ARCHIVE_NOT_TAR_GZ"
  | "ARCHIVE_PATH_COLLISION"
  | "ARCHIVE_PATH_INVALID"
  | "ARCHIVE_PATH_TRAVERSAL"
  | "ARCHIVE_TARGET_EXISTS"
  | "ARCHIVE_TOO_DEEP"
  | "ARCHIVE_TOO_LARGE"
  | "ARCHIVE_TOO_MANY_ENTRIES"
  | "ENVIRONMENT_EMPTY"
  | "ENVIRONMENT_INPUT_INVALID"
  | "ENVIRONMENT_LIMITS_INVALID"
  | "ENVIRONMENT_LIMIT_REACHED"
  | "ENVIRONMENT_NAME_REQUIRED"
  | "ENVIRONMENT_NOT_FOUND"
  | "ENV_ARCHIVE_EXTENSION_FILE_MISSING"
  | "ENV_ARCHIVE_INTEGRITY"
  | "ENV_ARCHIVE_INVALID"
  | "EXTENSION_FILE_MISSING"
  | "MERGE_BASE_NOT_KEPT"
  | "MERGE_PROFILE_FILES"
  | "SAVE_TOO_SLOW"
  | "STORED_DOCUMENT_INVALID"
  | "STORE_CONTENTION"
  | "USER_ID_INVALID"
  | "VERSION_CONFLICT"
  | "VERSION_FILE_NOT_FOUND"
  | "VERSION_MANIFEST_MISSING"
  | "VERSION_NOT_FOUND";

export type EnvStoreError = WebrunError<EnvStoreErrorCode>;

/** Makes every error of @webrun/env-store; a code outside {@link EnvStoreErrorCode} does not compile. */
export const envStoreError = errorFactory<EnvStoreErrorCode>();

/** Unknown id, malformed id and another user's environment all read the same, so ids cannot be probed. */
export function environmentNotFound(): EnvStoreError {
  return envStoreError({
    kind: "not_found",
    code: "ENVIRONMENT_NOT_FOUND",
    message: "Environment not found",
  });
}

export function environmentLimitReached(max: number): EnvStoreError {
  return envStoreError({
    kind: "limit_exceeded",
    code: "ENVIRONMENT_LIMIT_REACHED",
    message: `Maximum of ${max} environments allowed`,
    details: { max },
  });
}

export function versionConflict(currentVersion: number | null): EnvStoreError {
  return envStoreError({
    kind: "conflict",
    code: "VERSION_CONFLICT",
    message: "The environment was saved by someone else since the version this save is based on",
    details: { currentVersion },
  });
}

/** A merge needs the state its save started from; past retention it is gone, and a silent replace would lose others' saves. */
export function mergeBaseNotKept(base: number, oldestKept: number | null): EnvStoreError {
  return envStoreError({
    kind: "conflict",
    code: "MERGE_BASE_NOT_KEPT",
    message:
      oldestKept === null
        ? `Version ${base} does not exist: this environment has no versions yet (merge from base null)`
        : `Version ${base} is not kept: the oldest kept version is ${oldestKept}; merge from a kept version or replace without a base`,
    details: { oldestKept },
  });
}

/** Raw profile files cannot be merged; a merged save keeps the head's, and carries a storage snapshot (`profile/webrun-snapshot/`) only. */
export function mergedArchiveHasProfile(path: string): EnvStoreError {
  return envStoreError({
    kind: "invalid_input",
    code: "MERGE_PROFILE_FILES",
    message: `A merged save keeps the environment's raw profile and carries only a storage snapshot (profile/webrun-snapshot/), but this archive carries other profile files (${JSON.stringify(path)}): save it without a merge base to replace the environment`,
  });
}

/** A session's storage snapshot folder holds a file outside `webrun-snapshot/`. */
export function mergedSnapshotPathInvalid(path: string): EnvStoreError {
  return envStoreError({
    kind: "invalid_input",
    code: "MERGE_PROFILE_FILES",
    message: `A merged save carries only a storage snapshot (webrun-snapshot/), but its snapshot folder holds ${JSON.stringify(path)}`,
  });
}

/** An unknown or retired version; the message and `details.kept` name the versions that are kept (`null`: none yet). */
export function versionNotFound(version: number, kept: readonly { version: number }[]): EnvStoreError {
  const first = kept[0]?.version;
  const last = kept.at(-1)?.version;
  const range = first === undefined || last === undefined ? null : { oldest: first, newest: last };
  return envStoreError({
    kind: "not_found",
    code: "VERSION_NOT_FOUND",
    message:
      range === null
        ? `Version ${version} is not kept: this environment has no versions yet`
        : `Version ${version} is not kept; kept versions are ${range.oldest === range.newest ? range.oldest : `${range.oldest}–${range.newest}`}`,
    details: { kept: range },
  });
}

export function noBrowserData(): EnvStoreError {
  return envStoreError({
    kind: "invalid_input",
    code: "ENVIRONMENT_EMPTY",
    message: "Environment has no browser data yet",
  });
}

/** Too many writers raced for the same object for too long; the caller may retry later. */
export function storeContention(what: string): EnvStoreError {
  return envStoreError({
    kind: "unavailable",
    code: "STORE_CONTENTION",
    message: `Too many concurrent updates of ${what}; try again`,
  });
}

export function saveTooSlow(limitMs: number): EnvStoreError {
  return envStoreError({
    kind: "unavailable",
    code: "SAVE_TOO_SLOW",
    message: `Saving took longer than ${Math.round(limitMs / 1000)} s; nothing was changed`,
  });
}

export function userIdInvalid(): EnvStoreError {
  return envStoreError({ kind: "invalid_input", code: "USER_ID_INVALID", message: "Invalid user id" });
}

/** The contract's message for anything that is not a readable gzip'd tar. */
export const NOT_TAR_GZ_MESSAGE = "Only .tar.gz files are allowed";

const MAX_NAME_IN_MESSAGE = 120;

/**
 * An entry name as it may appear in an error message: names are not secret,
 * but an attacker chooses them, so they are capped and stripped of control
 * characters before reaching logs.
 */
export function entryNameForMessage(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we remove
  const printable = name.replace(/[\u0000-\u001f\u007f]/g, "?");
  return printable.length > MAX_NAME_IN_MESSAGE ? `${printable.slice(0, MAX_NAME_IN_MESSAGE)}…` : printable;
}

/** An archive refused for its content; `entry` names the offending entry when there is one. */
export function archiveError(
  code: EnvStoreErrorCode,
  message: string,
  options: { entry?: string; kind?: ErrorKind; cause?: unknown; details?: Record<string, unknown> } = {},
): EnvStoreError {
  const entry = options.entry === undefined ? undefined : entryNameForMessage(options.entry);
  const details = { ...options.details, ...(entry === undefined ? {} : { entry }) };
  return envStoreError({
    kind: options.kind ?? "invalid_input",
    code,
    message: entry === undefined ? message : `${message}: ${JSON.stringify(entry)}`,
    ...(Object.keys(details).length === 0 ? {} : { details }),
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  });
}

export function notTarGzError(cause?: unknown): EnvStoreError {
  return envStoreError({
    kind: "invalid_input",
    code: "ARCHIVE_NOT_TAR_GZ",
    message: NOT_TAR_GZ_MESSAGE,
    cause,
  });
}
