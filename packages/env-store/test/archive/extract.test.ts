import { execFile } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { pseudoRandomBytes, rawTar } from "@webrun/test-fixtures";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { extractArchive, readArchiveEntries } from "../../src/index.js";

// Disk and zlib work on a shared 2-core machine: generous, but still a bound.
vi.setConfig({ testTimeout: 30_000 });

const run = promisify(execFile);
let workDir: string;

beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "webrun-extract-"));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

/** Files GNU tar must encode with long-name records, unicode in both normal forms' worth of scripts, an empty dir. */
const files: Record<string, Buffer> = {
  "Default/Preferences": Buffer.from("{}"),
  "Default/Local Storage/leveldb/000003.log": pseudoRandomBytes(100_000, 5),
  "Extensions/café/日本語/файл.json": Buffer.from('{"ok":true}'),
  [`deep/${"long-directory-name-".repeat(6)}/${"long-file-name-".repeat(8)}.txt`]: Buffer.from("long"),
  "empty-file": Buffer.alloc(0),
};

it("extracts a real GNU tar.gz (./ prefixes, long names, unicode, empty dirs) byte for byte, private modes", async () => {
  const source = path.join(workDir, "source");
  for (const [name, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(source, name)), { recursive: true });
    await writeFile(path.join(source, name), bytes);
  }
  await mkdir(path.join(source, "empty-dir"));
  for (const format of ["gnu", "posix"]) {
    const archive = path.join(workDir, `${format}.tar.gz`);
    await run("tar", [`--format=${format}`, "-czf", archive, "-C", source, "."]);
    const target = path.join(workDir, `out-${format}`);
    const stats = await extractArchive(createReadStream(archive), target);
    expect(stats.files).toBe(Object.keys(files).length);
    for (const [name, bytes] of Object.entries(files)) {
      expect(await readFile(path.join(target, name)), `${format}: ${name}`).toEqual(bytes);
    }
    expect((await stat(path.join(target, "empty-dir"))).isDirectory()).toBe(true);
    expect((await stat(path.join(target, "Default", "Preferences"))).mode & 0o777).toBe(0o600);
  }
  expect((await readdir(workDir)).sort()).toEqual([
    "gnu.tar.gz",
    "out-gnu",
    "out-posix",
    "posix.tar.gz",
    "source",
  ]);
});

it("hands each file to readArchiveEntries with its normalised path and size, without touching disk", async () => {
  const source = path.join(workDir, "source");
  await mkdir(path.join(source, "a"), { recursive: true });
  await writeFile(path.join(source, "a", "b.txt"), "hello");
  const archive = path.join(workDir, "a.tar.gz");
  await run("tar", ["-czf", archive, "-C", source, "."]);
  const seen: { path: string; size: number; text: string }[] = [];
  await readArchiveEntries(createReadStream(archive), {}, async (entry, body) => {
    let text = "";
    for await (const chunk of body) text += chunk;
    seen.push({ path: entry.path, size: entry.size, text });
  });
  expect(seen).toEqual([{ path: "a/b.txt", size: 5, text: "hello" }]);
});

it("passes the caller's own failures through unchanged: a failing sink, a failing source", async () => {
  const archive = gzipSync(rawTar([{ name: "a.txt", content: "a" }]));
  const storageDown = new Error("storage down");
  const fromSink = await readArchiveEntries(Readable.from([archive]), {}, () => {
    throw storageDown;
  }).catch((caught: unknown) => caught);
  expect(fromSink).toBe(storageDown);

  const aborted = new Error("client went away");
  const failingSource = new Readable({
    read() {
      this.push(archive.subarray(0, 20));
      this.destroy(aborted);
    },
  });
  const fromSource = await readArchiveEntries(failingSource, {}, () => {}).catch((caught: unknown) => caught);
  expect(fromSource).toBe(aborted);
});
