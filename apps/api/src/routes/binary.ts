import { z } from "zod";

/** Raw bytes of a media type (a file, an archive): streamed, never serialised. */
export function binarySchema(contentType: string) {
  return z.string().meta({ contentMediaType: contentType });
}

/** A response of raw bytes, documented by media type. */
export function binaryAnswer(description: string, contentType: string) {
  return { description, content: { [contentType]: { schema: binarySchema(contentType) } } };
}
