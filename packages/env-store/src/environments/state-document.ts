import { Readable } from "node:stream";
import { readAll } from "@webrun/blob-store";
import { parseBrowserState } from "@webrun/state";
import { envStoreError } from "../errors.js";
import { openContent } from "./content.js";
import type { StoreContext } from "./context.js";
import { prefetchInOrder } from "./prefetch.js";
import { documentLayout, groupItems, joinState } from "./state-parts.js";
import { readVersion } from "./versions.js";

/** A version's state document as bytes, ready to send. */
export interface StateDocument {
  version: number;
  /** Byte length of `body`. */
  size: number;
  /** The JSON document (extension files listed without `contentBase64`), decrypted and verified part by part. */
  body: Readable;
}

/**
 * Opens the state document of a kept version (the head by default) as the
 * bytes that were validated when it was saved: its parts are decrypted,
 * checked against their SHA-256 and spliced together as they stream, never
 * parsed, validated or serialised again. A part that fails its check fails
 * the stream. Versions stored before the core's `origins` came last are
 * joined and parsed as `loadVersion` does.
 */
export async function openStateDocument(
  context: StoreContext,
  userId: string,
  envId: string,
  version?: number,
): Promise<StateDocument> {
  const manifest = await readVersion(context, userId, envId, version);
  const core = await readAll(await openContent(context.store, manifest.state, "state.json"));
  const groups = manifest.originGroups.map((ref, index) => ({ ref, name: `state origins ${index + 1}` }));
  const open = ({ ref, name }: (typeof groups)[number]) => openContent(context.store, ref, name);
  const layout = documentLayout(
    core,
    groups.map((group) => group.ref.size),
  );
  if (!layout) {
    const parts = await Promise.all(groups.map(async (group) => readAll(await open(group))));
    const bytes = Buffer.from(JSON.stringify(parseBrowserState(joinState(core, parts))));
    return { version: manifest.version, size: bytes.length, body: Readable.from([bytes]) };
  }
  const ahead = context.limits.transferConcurrency;
  async function* document() {
    yield layout?.head as Buffer;
    let first = true;
    for await (const { item, body } of prefetchInOrder(groups, ahead, open)) {
      const items = groupItems(await readAll(body));
      if (!items) throw groupInvalid(item.ref.key);
      if (!first) yield COMMA;
      first = false;
      yield items;
    }
    yield layout?.tail as Buffer;
  }
  return { version: manifest.version, size: layout.size, body: Readable.from(document()) };
}

const COMMA = Buffer.from(",");

function groupInvalid(key: string) {
  return envStoreError({
    kind: "integrity",
    code: "STORED_DOCUMENT_INVALID",
    message: `stored state part ${key} is not a JSON array`,
  });
}
