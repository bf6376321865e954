import { randomUUID } from "node:crypto";
import { isWebrunError, type WebrunError } from "@webrun/errors";
import type { BlobStore } from "../../blob-store.js";
import { blobStoreError } from "../../errors.js";

/** How the server wants `If-Match` values: as returned (quoted) or bare (Ceph 16 refuses the quoted form). */
export type IfMatchForm = "quoted" | "unquoted";

function refuse(why: string, cause?: unknown): WebrunError {
  return blobStoreError({
    kind: "unavailable",
    code: "BLOB_STORE_NO_CONDITIONAL_WRITES",
    message: `this S3 server does not honour conditional writes (${why}); refusing to run without compare-and-swap`,
    cause,
  });
}

async function fails(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return false;
  } catch (error) {
    if (isWebrunError(error) && error.code === "BLOB_PRECONDITION_FAILED") return true;
    throw error;
  }
}

/**
 * Checks, on a scratch key, that the store really does compare-and-swap:
 * `ifNoneMatch:"*"` refuses an existing key, `ifMatch` accepts the current
 * etag and refuses a stale one. `setForm` switches how the driver sends
 * `If-Match`; the first form that works is kept and returned. Everything the
 * probe writes is deleted again.
 */
export async function probeConditionalWrites(
  store: BlobStore,
  setForm: (form: IfMatchForm) => void = () => {},
): Promise<IfMatchForm> {
  const key = `_webrun-probe/${randomUUID()}`;
  try {
    const first = await store.put(key, "probe 1", { ifNoneMatch: "*" });
    if (!(await fails(store.put(key, "probe 2", { ifNoneMatch: "*" }))))
      throw refuse("If-None-Match: * overwrote an existing object");
    let current: string | undefined;
    let chosen: IfMatchForm | undefined;
    for (const form of ["quoted", "unquoted"] as const) {
      setForm(form);
      try {
        current = (await store.put(key, `probe ${form}`, { ifMatch: first.etag })).etag;
        chosen = form;
        break;
      } catch (error) {
        if (!isWebrunError(error) || error.code !== "BLOB_PRECONDITION_FAILED") throw error;
      }
    }
    if (!chosen || !current) throw refuse("If-Match with the current ETag was refused in every form");
    if (!(await fails(store.put(key, "probe stale", { ifMatch: first.etag }))))
      throw refuse("If-Match with a stale ETag was accepted");
    return chosen;
  } catch (error) {
    if (isWebrunError(error) && error.kind !== "precondition_failed") throw error;
    throw refuse("unexpected answer to a conditional write", error);
  } finally {
    await store.delete(key).catch(() => {});
  }
}
