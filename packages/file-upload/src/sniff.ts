import { fileTypeFromBuffer } from "file-type";

/** How many leading bytes are kept for sniffing: enough for OOXML/ODF, whose type is named inside the zip. */
export const sniffBytes = 64 * 1024;

/** The MIME type the bytes say they are (magic numbers), or `null` when they don't say (text, CSV, unknown). */
export async function detectContentType(head: Buffer): Promise<string | null> {
  if (head.length === 0) return null;
  const detected = await fileTypeFromBuffer(head);
  return detected?.mime ?? null;
}
