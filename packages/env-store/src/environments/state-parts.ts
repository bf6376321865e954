import { createHash } from "node:crypto";
import { type BrowserState, type OriginState, storageKeyOf } from "@webrun/state";

/**
 * Origin storage is split into groups of about this many bytes of JSON. Each
 * group is a stored part (a write, and two fsyncs on fs; a request on S3) and
 * is rewritten whole when one of its origins changes: 512 KiB keeps an 8 MB
 * state at 17 parts, one origin's change at ~512 KiB.
 */
const TARGET_GROUP_BYTES = 512 * 1024;
const MAX_GROUPS = 256;

/** A state as stored: a core document (cookies, extensions) plus origin storage in stable groups. */
export interface StateParts {
  core: Buffer;
  originGroups: Buffer[];
}

/** How a core document ends when its `origins` come last: the groups' items go between the brackets. */
const ORIGINS_LAST = Buffer.from('"origins":[]}');

/**
 * Splits a state so that what changes often does not drag what does not:
 * cookies and extension metadata go in a small core document, origin
 * storage (often most of the bytes) into groups chosen by a hash of each
 * origin's storage key. A save that changed only cookies rewrites only the
 * core; one origin's change rewrites only its group. The group count is a
 * power of two sized to the total, so assignments stay put as storage grows.
 * Extension files are never inline: their bytes are separate parts.
 * The core's `origins` (empty) come last, so the stored bytes are the
 * document itself once the groups are spliced in (`documentLayout`).
 */
export function splitState(state: BrowserState): StateParts {
  const extensions = state.extensions.map((extension) => ({
    ...extension,
    files: extension.files.map(({ contentBase64: _inline, ...file }) => file),
  }));
  const { origins: _split, ...rest } = state;
  const core = Buffer.from(JSON.stringify({ ...rest, extensions, origins: [] }));
  if (state.origins.length === 0) return { core, originGroups: [] };
  // Each origin is serialised and encoded once; a group is one copy of its origins' bytes.
  const encoded = state.origins
    .map((origin) => ({ key: storageKeyOf(origin), json: Buffer.from(JSON.stringify(origin)) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const total = encoded.reduce((sum, origin) => sum + origin.json.length, 0);
  let groupCount = 1;
  while (groupCount < MAX_GROUPS && groupCount * TARGET_GROUP_BYTES < total) groupCount *= 2;
  const groups: Buffer[][] = Array.from({ length: groupCount }, () => []);
  for (const origin of encoded) groups[groupOf(origin.key, groupCount)]?.push(origin.json);
  return { core, originGroups: groups.filter((group) => group.length > 0).map(jsonArray) };
}

const OPEN = Buffer.from("[");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("]");

/** `[a,b,…]` from the JSON bytes of each item. */
function jsonArray(items: readonly Buffer[]): Buffer {
  return Buffer.concat([
    OPEN,
    ...items.flatMap((item, index) => (index === 0 ? [item] : [COMMA, item])),
    CLOSE,
  ]);
}

function groupOf(storageKey: string, groupCount: number): number {
  return createHash("sha256").update(storageKey).digest().readUInt32BE(0) % groupCount;
}

/** Reassembles the document `splitState` took apart (origins in storage-key order); validate it after. */
export function joinState(core: Buffer, originGroups: readonly Buffer[]): unknown {
  const document = JSON.parse(core.toString("utf8")) as { origins?: unknown };
  const origins = originGroups.flatMap((group) => JSON.parse(group.toString("utf8")) as OriginState[]);
  return { ...document, origins };
}

/**
 * How the state document is laid out in its stored parts, so a read can
 * send the bytes validated at save time without parsing them again: the
 * core up to its `origins` array's `[`, each group without its brackets
 * (comma-separated), then `]}`. `undefined` for a core stored before
 * `origins` came last (those are joined and parsed instead).
 */
export function documentLayout(
  core: Buffer,
  groupSizes: readonly number[],
): { head: Buffer; tail: Buffer; size: number } | undefined {
  if (!core.subarray(core.length - ORIGINS_LAST.length).equals(ORIGINS_LAST)) return undefined;
  if (groupSizes.length === 0) return { head: core, tail: Buffer.alloc(0), size: core.length };
  const head = core.subarray(0, core.length - 2);
  const tail = core.subarray(core.length - 2);
  const items = groupSizes.reduce((total, size) => total + size - 2, 0) + groupSizes.length - 1;
  return { head, tail, size: head.length + items + tail.length };
}

/** A stored group's items, without the brackets around them; `undefined` when it is not a JSON array's bytes. */
export function groupItems(group: Buffer): Buffer | undefined {
  if (group.length < 3 || group[0] !== 0x5b || group[group.length - 1] !== 0x5d) return undefined;
  return group.subarray(1, group.length - 1);
}
