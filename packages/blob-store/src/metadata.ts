import type { WebrunError } from "@webrun/errors";
import { blobStoreError } from "./errors.js";

const maxMetadataBytes = 2048;

/**
 * User metadata rules every driver enforces, so what round-trips on one
 * round-trips on all: S3 lower-cases names and mangles non-ASCII values, so
 * names are lower-case `[a-z0-9-]` and values printable ASCII, ≤ 2 KiB in all.
 */
export function assertValidMetadata(metadata: Readonly<Record<string, string>> | undefined): void {
  if (!metadata) return;
  let bytes = 0;
  for (const [name, value] of Object.entries(metadata)) {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name))
      throw metadataInvalid(`name ${JSON.stringify(name.slice(0, 40))} is not lower-case [a-z0-9-]`);
    if (typeof value !== "string" || !/^[\x20-\x7e]*$/.test(value))
      throw metadataInvalid(`value of ${name} is not printable ASCII`);
    bytes += name.length + value.length;
  }
  if (bytes > maxMetadataBytes) throw metadataInvalid(`more than ${maxMetadataBytes} bytes`);
}

function metadataInvalid(why: string): WebrunError {
  return blobStoreError({
    kind: "invalid_input",
    code: "BLOB_METADATA_INVALID",
    message: `invalid object metadata: ${why}`,
  });
}
