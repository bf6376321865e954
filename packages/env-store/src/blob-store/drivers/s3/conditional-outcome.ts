import type { BlobInfo, PutOptions } from "../../blob-store.js";

/**
 * What became of a conditional put whose answer was lost or garbled (a 5xx,
 * a dropped connection, or a 412 to a retry of a request that may have
 * landed). Ceph 16 answers the losers of a conditional-write race with
 * 500 (ECANCELED) rather than 412, so this is the common case there, not a
 * corner. Decided from the object as it is now and the MD5 of our body (a
 * single PutObject's ETag): our bytes are there → we won; the condition can
 * no longer hold → we lost; nothing changed → the put can be sent again.
 */
export function conditionalOutcome(
  current: BlobInfo | undefined,
  options: PutOptions,
  ourMd5: string,
): "won" | "lost" | "unchanged" {
  if (current?.etag === ourMd5) return "won";
  if (options.ifNoneMatch === "*") return current ? "lost" : "unchanged";
  return current?.etag === options.ifMatch ? "unchanged" : "lost";
}
