import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { isWebrunError } from "@webrun/errors";
import { gzipBomb, hostileArchives, hostileCorpusDir, rawTar } from "@webrun/test-fixtures";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { extractArchive, readArchiveEntries } from "../../src/index.js";

// Disk and zlib work on a shared 2-core machine: generous, but still a bound.
vi.setConfig({ testTimeout: 30_000 });

let workDir: string;
let parentDir: string;
let target: string;

beforeEach(async () => {
  // parent/ holds only the target: anything else appearing there is an escape or a leftover temp dir.
  workDir = await mkdtemp(path.join(tmpdir(), "webrun-archive-hostile-"));
  parentDir = path.join(workDir, "parent", "deeper");
  target = path.join(parentDir, "target");
});

afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Gunzipped content when the bytes are a whole gzip; raw bytes when not gzip at all; `null` for a cut gzip. */
function comparable(bytes: Buffer): Buffer | null {
  try {
    return gunzipSync(bytes);
  } catch {
    return bytes[0] === 0x1f && bytes[1] === 0x8b ? null : bytes;
  }
}

async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true }).catch(() => []);
  return entries.map(String).sort();
}

async function expectRefusal(bytes: Buffer, code: string, limits = {}) {
  await import("node:fs/promises").then((fs) => fs.mkdir(parentDir, { recursive: true }));
  const before = await listTree(workDir);
  const error = await extractArchive(Readable.from([bytes]), target, limits).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isWebrunError(error), String(error)).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  // Nothing written anywhere under the work dir (the target's parents included), no temp dir left.
  expect(await listTree(workDir)).toEqual(before);
  await expect(stat("/tmp/webrun-absolute-escape.txt")).rejects.toThrow();
  return error as Error;
}

describe("the committed hostile corpus", () => {
  const corpus = hostileArchives();

  it("matches its generator (content compared after gunzip: zlib builds may compress differently)", async () => {
    const committed = (await readdir(hostileCorpusDir)).sort();
    expect(committed).toEqual(corpus.map((archive) => archive.file).sort());
    for (const archive of corpus) {
      const bytes = await readFile(path.join(hostileCorpusDir, archive.file));
      expect(comparable(bytes), archive.file).toEqual(comparable(archive.bytes));
    }
  });

  for (const archive of corpus) {
    it(`refuses ${archive.file} (${archive.attack}) with ${archive.expectedCode}`, async () => {
      const bytes = await readFile(path.join(hostileCorpusDir, archive.file));
      const error = await expectRefusal(bytes, archive.expectedCode, archive.limits);
      expect(error.message.length).toBeLessThan(400);
    });
  }

  it("refuses the same corpus in readArchiveEntries without handing out a single hostile entry", async () => {
    for (const archive of corpus) {
      const seen: string[] = [];
      const error = await readArchiveEntries(
        Readable.from([archive.bytes]),
        archive.limits ?? {},
        (entry) => {
          seen.push(entry.path);
        },
      ).catch((caught: unknown) => caught);
      expect((error as { code?: string }).code, archive.file).toBe(archive.expectedCode);
      expect(
        seen.every((p) => !p.includes("..") && !path.isAbsolute(p)),
        archive.file,
      ).toBe(true);
    }
  });
});

describe("messages", () => {
  it("name the entry, capped in length", async () => {
    const longName = `${"x".repeat(300)}/../escape`;
    const error = await expectRefusal(
      gzipSync(rawTar([{ name: longName, content: "x" }])),
      "ARCHIVE_PATH_TRAVERSAL",
    );
    expect(error.message).toContain("xxxxxxxx");
    expect(error.message.length).toBeLessThan(250);
  });

  it("use the contract's text for what is not a tar.gz", async () => {
    const error = await expectRefusal(Buffer.from("hello"), "ARCHIVE_NOT_TAR_GZ");
    expect(error.message).toBe("Only .tar.gz files are allowed");
  });
});

describe("attacks generated at test time", () => {
  it("stops a 1000 MiB gzip bomb (~1 MB compressed) early, by ratio", async () => {
    const bomb = gzipBomb();
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const error = (await expectRefusal(bomb, "ARCHIVE_BOMB")) as Error & { details: { inflated: number } };
    // Stopped just past the 64 MiB ratio floor, not after 1000 MiB of zeros.
    expect(error.details.inflated).toBeGreaterThan(64 * 1024 * 1024);
    expect(error.details.inflated).toBeLessThan(80 * 1024 * 1024);
  });

  it("stops a bomb by the absolute inflated cap even when the ratio is allowed", async () => {
    await expectRefusal(gzipBomb({ entries: 8, entryBytes: 1024 * 1024 }), "ARCHIVE_BOMB", {
      maxCompressionRatio: 1_000_000,
      maxInflatedBytes: 4 * 1024 * 1024,
    });
  });

  it("refuses more than the default 100 000 entries", async () => {
    const entries = Array.from({ length: 100_001 }, (_, i) => ({ name: `f/${i}` }));
    let handed = 0;
    const error = await readArchiveEntries(
      Readable.from([gzipSync(rawTar(entries), { level: 1 })]),
      {},
      () => {
        handed += 1;
      },
    ).catch((caught: unknown) => caught);
    expect((error as { code?: string }).code).toBe("ARCHIVE_TOO_MANY_ENTRIES");
    expect(handed).toBe(100_000);
  }, 120_000);

  it("refuses content over the total size cap", async () => {
    const entries = [0, 1, 2].map((i) => ({ name: `part-${i}`, content: Buffer.alloc(1000, i) }));
    await expectRefusal(gzipSync(rawTar(entries)), "ARCHIVE_TOO_LARGE", { maxTotalBytes: 2500 });
  });

  it("refuses compressed input over the compressed cap", async () => {
    const entries = [
      { name: "random", content: Buffer.from(crypto.getRandomValues(new Uint8Array(50_000))) },
    ];
    await expectRefusal(gzipSync(rawTar(entries)), "ARCHIVE_TOO_LARGE", { maxCompressedBytes: 10_000 });
  });

  it("refuses a non-empty target and leaves it as it was", async () => {
    const good = gzipSync(rawTar([{ name: "a.txt", content: "a" }]));
    await import("node:fs/promises").then((fs) => fs.mkdir(target, { recursive: true }));
    await import("node:fs/promises").then((fs) => fs.writeFile(path.join(target, "keep.txt"), "mine"));
    await expectRefusal(good, "ARCHIVE_TARGET_EXISTS");
    expect(await readFile(path.join(target, "keep.txt"), "utf8")).toBe("mine");
  });

  it("plant-then-write-through: the link is refused, so the second archive writes only inside the target", async () => {
    const [plant] = hostileArchives().filter((archive) => archive.file === "symlink-plant.tar.gz");
    await expectRefusal(plant?.bytes ?? Buffer.alloc(0), "ARCHIVE_LINK_REFUSED");
    const writeThrough = gzipSync(rawTar([{ name: "escape/pwned.txt", content: "x" }]));
    await extractArchive(Readable.from([writeThrough]), target);
    expect((await stat(path.join(target, "escape"))).isDirectory()).toBe(true);
    expect(await readFile(path.join(target, "escape", "pwned.txt"), "utf8")).toBe("x");
    expect(await listTree(path.join(workDir, "parent"))).toEqual([
      "deeper",
      "deeper/target",
      "deeper/target/escape",
      "deeper/target/escape/pwned.txt",
    ]);
  });
});
