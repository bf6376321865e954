import { WebrunError } from "@webrun/errors";

/** Unknown id, malformed id and another user's environment all read the same, so ids cannot be probed. */
export function environmentNotFound(): WebrunError {
  return new WebrunError({
    kind: "not_found",
    code: "ENVIRONMENT_NOT_FOUND",
    message: "Environment not found",
  });
}

export function environmentLimitReached(max: number): WebrunError {
  return new WebrunError({
    kind: "limit_exceeded",
    code: "ENVIRONMENT_LIMIT_REACHED",
    message: `Maximum of ${max} environments allowed`,
    details: { max },
  });
}

export function versionConflict(currentVersion: number | null): WebrunError {
  return new WebrunError({
    kind: "conflict",
    code: "VERSION_CONFLICT",
    message: "The environment was saved by someone else since the version this save is based on",
    details: { currentVersion },
  });
}

/** A merge needs the state its save started from; past retention it is gone, and a silent replace would lose others' saves. */
export function mergeBaseNotKept(base: number, oldestKept: number | null): WebrunError {
  return new WebrunError({
    kind: "conflict",
    code: "MERGE_BASE_NOT_KEPT",
    message:
      oldestKept === null
        ? `Version ${base} does not exist: this environment has no versions yet (merge from base null)`
        : `Version ${base} is not kept: the oldest kept version is ${oldestKept}; merge from a kept version or replace without a base`,
    details: { oldestKept },
  });
}

/** Raw profile files cannot be merged; a merged save keeps the head's. */
export function mergedArchiveHasProfile(path: string): WebrunError {
  return new WebrunError({
    kind: "invalid_input",
    code: "MERGE_PROFILE_FILES",
    message: `A merged save keeps the environment's raw profile, but this archive carries profile files (${JSON.stringify(path)}): save it without a merge base to replace the environment`,
  });
}

export function versionNotFound(version: number): WebrunError {
  return new WebrunError({
    kind: "not_found",
    code: "VERSION_NOT_FOUND",
    message: `Version ${version} of this environment does not exist or is no longer kept`,
  });
}

export function noBrowserData(): WebrunError {
  return new WebrunError({
    kind: "invalid_input",
    code: "ENVIRONMENT_EMPTY",
    message: "Environment has no browser data yet",
  });
}

/** Too many writers raced for the same object for too long; the caller may retry later. */
export function storeContention(what: string): WebrunError {
  return new WebrunError({
    kind: "unavailable",
    code: "STORE_CONTENTION",
    message: `Too many concurrent updates of ${what}; try again`,
  });
}

export function saveTooSlow(limitMs: number): WebrunError {
  return new WebrunError({
    kind: "unavailable",
    code: "SAVE_TOO_SLOW",
    message: `Saving took longer than ${Math.round(limitMs / 1000)} s; nothing was changed`,
  });
}

export function userIdInvalid(): WebrunError {
  return new WebrunError({ kind: "invalid_input", code: "USER_ID_INVALID", message: "Invalid user id" });
}
