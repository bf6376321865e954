import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterEach, beforeEach, expect, it } from "vitest";
import { packEnvironmentArchive, unpackEnvironmentArchive } from "../../src/index.js";

const FILE_BYTES = 200 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop";

/**
 * 200 MiB of incompressible bytes produced on demand: one random MiB, each
 * copy made unique by a counter, so gzip cannot shrink it and nothing holds
 * it whole.
 */
const seed = randomBytes(CHUNK);

function bigFile(): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === FILE_BYTES) {
        this.push(null);
        return;
      }
      const chunk = Buffer.from(seed);
      chunk.writeUInt32LE(sent / CHUNK, 0);
      for (let i = 4; i < CHUNK; i += 4096) chunk.writeUInt32LE((sent + i) >>> 0, i);
      sent += CHUNK;
      this.push(chunk);
    },
  });
}

async function digestOf(stream: Readable): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "webrun-archive-stream-"));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

it("packs and unpacks a 200 MiB environment archive with bounded memory", { timeout: 180_000 }, async () => {
  const sha256 = await digestOf(bigFile());
  const state = {
    version: 1 as const,
    extensions: [
      {
        id: EXTENSION_ID,
        name: "big",
        version: "1",
        manifest: {},
        files: [{ path: "big.bin", size: FILE_BYTES, sha256 }],
      },
    ],
  };
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    // Pack to disk (streamed), then unpack from disk into a hashing sink.
    const archivePath = path.join(workDir, "env.tar.gz");
    const { createReadStream, createWriteStream } = await import("node:fs");
    await pipeline(
      packEnvironmentArchive({ state, extensionFiles: () => bigFile() }),
      createWriteStream(archivePath),
    );
    expect((await stat(archivePath)).size).toBeGreaterThan(FILE_BYTES);

    let unpackedDigest = "";
    const { stats } = await unpackEnvironmentArchive(
      createReadStream(archivePath),
      {},
      {
        extensionFile: async (_file, body) => {
          const hash = createHash("sha256");
          await pipeline(
            body,
            new Writable({
              write(chunk: Buffer, _encoding, callback) {
                hash.update(chunk);
                callback();
              },
            }),
          );
          unpackedDigest = hash.digest("hex");
        },
      },
    );
    expect(unpackedDigest).toBe(sha256);
    expect(stats.bytes).toBeGreaterThan(FILE_BYTES);
  } finally {
    clearInterval(sampler);
  }
  const growthMiB = (peak - baseline) / 1024 / 1024;
  console.log(
    `200 MiB pack+unpack: RSS growth ${growthMiB.toFixed(1)} MiB (baseline ${(baseline / 1024 / 1024).toFixed(0)} MiB)`,
  );
  expect(growthMiB).toBeLessThan(100);
});
