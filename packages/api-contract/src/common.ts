import { z } from "zod";

/** Every success answer carries `success: true`. */
export const success = { success: z.literal(true) } as const;

/** An ISO 8601 timestamp as the API writes it (`2026-12-05T11:12:59.000Z`). */
export const isoDateTime = z.iso.datetime();

/** A MongoDB-style id: 24 lowercase hex characters. */
export const objectId = z.string().regex(/^[0-9a-f]{24}$/);
