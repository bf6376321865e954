import type { BlobInfo, PutOptions } from "../../blob-store.js";

/**
 * What became of a conditional put answered with a server error or not at
 * all. Ceph 16 answers the losers of a conditional-write race with 500
 * (ECANCELED) rather than 412, so this is common there, not a corner. If the
 * object is as the condition expects, nothing was written and the put can
 * be sent again; otherwise another writer got there first: we lost.
 *
 * Our own bytes being there proves nothing (a racing writer may have written
 * the same bytes, and S3 ETags hash only the bytes), so a write that landed
 * but whose answer was lost is reported as lost, as any S3 client would.
 */
export function conditionalOutcome(current: BlobInfo | undefined, options: PutOptions): "lost" | "unchanged" {
  if (options.ifNoneMatch === "*") return current ? "lost" : "unchanged";
  return current?.etag === options.ifMatch ? "unchanged" : "lost";
}
