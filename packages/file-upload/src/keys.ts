/**
 * Where everything of a file lives in the BlobStore. The layout serves the
 * three access paths with one call each:
 *
 * - `files/blobs/<user>/<fileId>`: the bytes, written before anyone knows
 *   whether the file will be persistent, so never under an environment.
 * - `files/records/<user>/<fileId>.json`: the record, the source of truth;
 *   lookup by (user, fileId) is one get, and every state change is a CAS on it.
 * - `files/environments/<user>/<environmentId>/<fileId>`: index entries, so
 *   an environment's files are one prefix list.
 * - `files/unattached/<createdAt>/<user>/<fileId>`: a marker written before
 *   the blob and removed once the file is attached to an environment. The
 *   orphan sweep lists this prefix oldest first and stops at the first marker
 *   that is too young; a marker also lets the sweep clean up after a process
 *   that died mid-upload.
 */
const root = "files";

export const fileKeys = {
  blob: (userId: string, fileId: string) => `${root}/blobs/${userSegment(userId)}/${fileId}`,
  record: (userId: string, fileId: string) => `${root}/records/${userSegment(userId)}/${fileId}.json`,
  environmentEntry: (userId: string, environmentId: string, fileId: string) =>
    `${fileKeys.environmentPrefix(userId, environmentId)}${fileId}`,
  environmentPrefix: (userId: string, environmentId: string) =>
    `${root}/environments/${userSegment(userId)}/${environmentId}/`,
  unattachedMarker: (createdAt: Date, userId: string, fileId: string) =>
    `${fileKeys.unattachedPrefix}${stamp(createdAt)}/${userSegment(userId)}/${fileId}`,
  unattachedPrefix: `${root}/unattached/`,
} as const;

export interface UnattachedMarker {
  key: string;
  createdAt: Date;
  userId: string;
  fileId: string;
}

/** Reads a marker key back; `undefined` for anything that is not one of ours. */
export function parseUnattachedMarker(key: string): UnattachedMarker | undefined {
  if (!key.startsWith(fileKeys.unattachedPrefix)) return undefined;
  const [time, user, fileId, ...rest] = key.slice(fileKeys.unattachedPrefix.length).split("/");
  if (rest.length > 0 || !time || !user || !fileId || !/^\d{15}$/.test(time)) return undefined;
  const userId = parseUserSegment(user);
  if (userId === undefined) return undefined;
  return { key, createdAt: new Date(Number(time)), userId, fileId };
}

// Fixed width, so lexical key order is time order.
function stamp(date: Date): string {
  return String(date.getTime()).padStart(15, "0");
}

const plainUser = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/** A user id as one key segment: kept as is when plain, else `~` + base64url (which never collides with a plain id). */
function userSegment(userId: string): string {
  return plainUser.test(userId) ? userId : `~${Buffer.from(userId).toString("base64url")}`;
}

function parseUserSegment(segment: string): string | undefined {
  if (plainUser.test(segment)) return segment;
  if (segment.startsWith("~")) return Buffer.from(segment.slice(1), "base64url").toString();
  return undefined;
}
