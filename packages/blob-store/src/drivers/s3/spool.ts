import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";

/**
 * Writes a stream of unknown length to a private temp file, hands its path and
 * size to `use`, and removes it afterwards whatever happens.
 */
export async function withSpooledFile<T>(
  body: Readable,
  signal: AbortSignal | undefined,
  use: (path: string, size: number) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "webrun-spool-"));
  try {
    const path = join(dir, randomBytes(8).toString("hex"));
    await pipeline(body, createWriteStream(path, { mode: 0o600 }), { signal });
    return await use(path, (await stat(path)).size);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
