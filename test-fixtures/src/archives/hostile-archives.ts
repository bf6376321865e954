import { gzipSync } from "node:zlib";
import { END_OF_TAR, pad, type RawTarEntry, rawTar, tarHeader } from "./tar-writer.js";

/** One archive a safe extractor must refuse, and the error code it must refuse it with. */
export interface HostileArchive {
  /** File name under `test-fixtures/archives/hostile/`. */
  file: string;
  /** What the attack is, for test names. */
  attack: string;
  expectedCode: string;
  /** Limits the refusal is expected under, when not the defaults (kept small so the corpus stays small). */
  limits?: Record<string, number>;
  bytes: Buffer;
}

const gzip = (data: Uint8Array) => gzipSync(data, { level: 9 });
const tarGz = (entries: RawTarEntry[]) => gzip(rawTar(entries));

/** Deterministic pseudo-random bytes (an LCG), so the committed corpus is reproducible byte for byte. */
export function pseudoRandomBytes(length: number, seed = 1): Buffer {
  const out = Buffer.alloc(length);
  let state = seed >>> 0;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

const validArchive = () =>
  tarGz([
    { name: "Default/", type: "directory" },
    { name: "Default/Preferences", content: pseudoRandomBytes(64 * 1024, 7) },
    { name: "Default/Bookmarks", content: "{}" },
  ]);

/** Every hostile or malformed archive of the committed corpus. */
export function hostileArchives(): HostileArchive[] {
  const traversal = "ARCHIVE_PATH_TRAVERSAL";
  const valid = validArchive();
  return [
    {
      file: "escape-dotdot.tar.gz",
      attack: "../ escape",
      expectedCode: traversal,
      bytes: tarGz([{ name: "../escaped.txt", content: "x" }]),
    },
    {
      file: "escape-nested-dotdot.tar.gz",
      attack: "a/../../ escape",
      expectedCode: traversal,
      bytes: tarGz([
        { name: "a/", type: "directory" },
        { name: "a/../../escaped.txt", content: "x" },
      ]),
    },
    {
      file: "escape-pax-path.tar.gz",
      attack: "pax path record overriding a harmless name with ../",
      expectedCode: traversal,
      bytes: tarGz([{ name: "harmless.txt", paxPath: "../pax-escaped.txt", content: "x" }]),
    },
    {
      file: "absolute-path.tar.gz",
      attack: "absolute path",
      expectedCode: traversal,
      bytes: tarGz([{ name: "/tmp/webrun-absolute-escape.txt", content: "x" }]),
    },
    {
      file: "windows-drive.tar.gz",
      attack: "Windows drive letter",
      expectedCode: traversal,
      bytes: tarGz([{ name: "C:/Windows/evil.txt", content: "x" }]),
    },
    {
      file: "windows-backslash.tar.gz",
      attack: "backslash traversal",
      expectedCode: traversal,
      bytes: tarGz([{ name: "..\\..\\evil.txt", content: "x" }]),
    },
    {
      file: "control-character-name.tar.gz",
      attack: "control characters in a name",
      expectedCode: "ARCHIVE_PATH_INVALID",
      bytes: tarGz([{ name: "evil\nname.txt", content: "x" }]),
    },
    {
      file: "symlink.tar.gz",
      attack: "symlink to /etc",
      expectedCode: "ARCHIVE_LINK_REFUSED",
      bytes: tarGz([{ name: "etc", type: "symlink", linkName: "/etc" }]),
    },
    {
      file: "symlink-plant.tar.gz",
      attack: "first half of plant-then-write-through: a symlink to ..",
      expectedCode: "ARCHIVE_LINK_REFUSED",
      bytes: tarGz([{ name: "escape", type: "symlink", linkName: ".." }]),
    },
    {
      file: "symlink-plant-and-write.tar.gz",
      attack: "symlink then a file written through it, in one archive",
      expectedCode: "ARCHIVE_LINK_REFUSED",
      bytes: tarGz([
        { name: "escape", type: "symlink", linkName: ".." },
        { name: "escape/pwned.txt", content: "x" },
      ]),
    },
    {
      file: "hardlink.tar.gz",
      attack: "hardlink to /etc/passwd",
      expectedCode: "ARCHIVE_LINK_REFUSED",
      bytes: tarGz([{ name: "passwd", type: "hardlink", linkName: "/etc/passwd" }]),
    },
    {
      file: "char-device.tar.gz",
      attack: "character device",
      expectedCode: "ARCHIVE_DEVICE_REFUSED",
      bytes: tarGz([{ name: "null", type: "char-device" }]),
    },
    {
      file: "block-device.tar.gz",
      attack: "block device",
      expectedCode: "ARCHIVE_DEVICE_REFUSED",
      bytes: tarGz([{ name: "sda", type: "block-device" }]),
    },
    {
      file: "fifo.tar.gz",
      attack: "FIFO",
      expectedCode: "ARCHIVE_DEVICE_REFUSED",
      bytes: tarGz([{ name: "pipe", type: "fifo" }]),
    },
    {
      file: "too-many-entries.tar.gz",
      attack: "more entries than allowed",
      expectedCode: "ARCHIVE_TOO_MANY_ENTRIES",
      limits: { maxEntries: 1_000 },
      bytes: tarGz(Array.from({ length: 1_001 }, (_, i) => ({ name: `many/${i}`, content: "" }))),
    },
    {
      file: "deep-nesting.tar.gz",
      attack: "40 nested directories",
      expectedCode: "ARCHIVE_TOO_DEEP",
      bytes: tarGz([{ name: `${"d/".repeat(40)}deep.txt`, content: "x" }]),
    },
    {
      file: "entry-too-large.tar.gz",
      attack: "header declaring a 3 GiB file",
      expectedCode: "ARCHIVE_TOO_LARGE",
      bytes: gzip(Buffer.concat([tarHeader({ name: "huge.bin" }, 3 * 1024 ** 3), END_OF_TAR])),
    },
    {
      file: "unicode-nfc-nfd.tar.gz",
      attack: "same name in NFC and NFD",
      expectedCode: "ARCHIVE_PATH_COLLISION",
      bytes: tarGz([
        { name: "caf\u00e9.txt", content: "nfc" },
        { name: "cafe\u0301.txt", content: "nfd" },
      ]),
    },
    {
      file: "case-collision.tar.gz",
      attack: "names differing only in case",
      expectedCode: "ARCHIVE_PATH_COLLISION",
      bytes: tarGz([
        { name: "Readme.txt", content: "a" },
        { name: "README.txt", content: "b" },
      ]),
    },
    {
      file: "directory-case-collision.tar.gz",
      attack: "directories differing only in case",
      expectedCode: "ARCHIVE_PATH_COLLISION",
      bytes: tarGz([
        { name: "Default/a.txt", content: "a" },
        { name: "default/b.txt", content: "b" },
      ]),
    },
    {
      file: "file-directory-conflict.tar.gz",
      attack: "a file, then a file beneath it",
      expectedCode: "ARCHIVE_PATH_COLLISION",
      bytes: tarGz([
        { name: "a", content: "file" },
        { name: "a/b", content: "x" },
      ]),
    },
    {
      file: "duplicate-entry.tar.gz",
      attack: "the same file twice",
      expectedCode: "ARCHIVE_DUPLICATE_ENTRY",
      bytes: tarGz([
        { name: "a.txt", content: "first" },
        { name: "./a.txt", content: "second" },
      ]),
    },
    {
      file: "plain.tar",
      attack: "an uncompressed tar",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: rawTar([{ name: "a.txt", content: "x" }]),
    },
    {
      file: "empty.zip",
      attack: "a zip file",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: Buffer.concat([Buffer.from("PK\u0005\u0006", "latin1"), Buffer.alloc(18)]),
    },
    {
      file: "random.bin",
      attack: "random bytes",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: pseudoRandomBytes(4_096, 3),
    },
    {
      file: "empty.tar.gz",
      attack: "an empty file",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: Buffer.alloc(0),
    },
    {
      file: "one-byte.tar.gz",
      attack: "a single gzip magic byte",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: Buffer.from([0x1f]),
    },
    {
      file: "truncated-early.tar.gz",
      attack: "gzip cut inside its header",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: valid.subarray(0, 10),
    },
    {
      file: "truncated.tar.gz",
      attack: "gzip cut in the middle of a file",
      expectedCode: "ARCHIVE_CORRUPT",
      bytes: valid.subarray(0, Math.floor(valid.length / 2)),
    },
    {
      file: "gzip-not-tar.gz",
      attack: "gzip of text",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: gzip(Buffer.from("this is not a tar archive\n".repeat(100))),
    },
    {
      file: "gzip-empty.gz",
      attack: "gzip of nothing",
      expectedCode: "ARCHIVE_NOT_TAR_GZ",
      bytes: gzip(Buffer.alloc(0)),
    },
    {
      file: "corrupt-header-checksum.tar.gz",
      attack: "a tar header with a wrong checksum after a good entry",
      expectedCode: "ARCHIVE_CORRUPT",
      bytes: gzip(corruptSecondHeader()),
    },
  ];
}

function corruptSecondHeader(): Buffer {
  const tar = rawTar([
    { name: "good.txt", content: "x" },
    { name: "bad.txt", content: "y" },
  ]);
  tar[1024 + 148] = "7".charCodeAt(0);
  return tar;
}

/**
 * A gzip bomb without a gigabyte of work: gzip members may be concatenated,
 * so one compressed block of zeros is reused for every entry. `entries` ×
 * `entryBytes` of zeros (default 100 × 10 MiB = 1000 MiB) come out of ~1 MB.
 */
export function gzipBomb(options: { entries?: number; entryBytes?: number } = {}): Buffer {
  const entries = options.entries ?? 100;
  const entryBytes = options.entryBytes ?? 10 * 1024 * 1024;
  const zeros = gzip(pad(Buffer.alloc(entryBytes)));
  const members: Buffer[] = [];
  for (let i = 0; i < entries; i++)
    members.push(gzip(tarHeader({ name: `zeros/${i}.bin` }, entryBytes)), zeros);
  members.push(gzip(END_OF_TAR));
  return Buffer.concat(members);
}
