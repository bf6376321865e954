import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { readArchiveEntries } from "./archive-reader.js";
import { checkArchiveToFile } from "./checked-spool.js";
import { fanOut, type StreamConsumer } from "./fan-out.js";
import { type ArchiveLimits, defaultProfileArchiveLimits } from "./limits.js";
import { isDroppedProfilePath, isProfileDirectoryName } from "./profile-drop-list.js";
import { layoutRevealedBy, type ProfileLayout, toUserDataDirPath } from "./profile-layout.js";
import { DirectoryWriter } from "./staging-directory.js";

/** What an uploaded Chrome profile holds, found while it streamed past. */
export interface ProfileSummary {
  /** Origins with localStorage, sorted (from the {@link ProfileInspector}; empty without one). */
  origins: string[];
  /** Installed extensions (from the {@link ProfileInspector}; empty without one). */
  extensions: ProfileExtension[];
  /** Files kept (handed to the sink). */
  entries: number;
  /** Bytes of the files kept. */
  bytes: number;
  /** Files left out: caches, locks (see `profile-drop-list.ts`), or outside the profile root. */
  dropped: number;
  /** How the archive was rooted; paths given to the sink are always user-data-dir relative. */
  layout: ProfileLayout["kind"];
  /** Inspections that could not be completed (the upload itself is still fine). */
  warnings: string[];
}

/** What a {@link ProfileInspector} found. */
export interface ProfileInspection {
  origins: string[];
  extensions: ProfileExtension[];
  warnings: string[];
}

/**
 * Reads origins and extensions from a user-data-dir that holds only the
 * files inspection needs, at their user-data-dir paths:
 * `<profile>/Local Storage/leveldb/*`, `<profile>/Extensions/<id>/<version>/manifest.json`
 * and `…/_locales/<locale>/messages.json`. Reading Chrome's formats is
 * browser knowledge, so it is injected (`inspectProfile` of
 * `@webrun/browser-state`) and this package loads no leveldb.
 */
export type ProfileInspector = (userDataDir: string) => Promise<ProfileInspection>;

export interface ProfileExtension {
  id: string;
  name: string;
  version: string;
}

/** Stores one kept profile file; `path` is relative to the user-data-dir (`Default/Preferences`). */
export type ProfileFileSink = (file: { path: string; size: number }, body: Readable) => Promise<void>;

export interface IngestProfileOptions {
  limits?: Partial<ArchiveLimits>;
  /** Where kept files go (a BlobStore writer, a directory); without one they are inspected and discarded. */
  sink?: ProfileFileSink;
  /** Local Storage leveldb bytes spooled for reading origins; beyond this, origins are not listed. */
  maxLocalStorageBytes?: number;
  /** Lists origins and extensions; without one the summary's lists stay empty and nothing is spooled for them. */
  inspect?: ProfileInspector;
}

/** Where, under the spool, the files for the inspector are laid out as a user-data-dir. */
const INSPECTED_ROOT = "inspected";
const MAX_DOCUMENT_BYTES = 1024 * 1024;
const MAX_LOCALE_BYTES_TOTAL = 32 * 1024 * 1024;

/**
 * Ingests an uploaded Chrome profile `.tar.gz` in two reads. The first, as
 * it streams in, applies every check of {@link readArchiveEntries} under
 * {@link defaultProfileArchiveLimits} and learns whether it is rooted at the
 * user-data-dir or at a profile directory, while copying the compressed
 * bytes to a temporary file: a hostile archive is refused before any file
 * reaches `sink`. The second reads the copy, drops caches and lock files,
 * hands each kept file to `sink` under its user-data-dir path, and, with an
 * `inspect`or, spools only the few small files it reads (Local Storage
 * leveldb folders, extension manifests and locale messages of ≤ 1 MiB each)
 * and lets it read them at the end. On rejection, what the sink stored is
 * the caller's to discard.
 */
export async function ingestProfileArchive(
  source: Readable,
  options: IngestProfileOptions = {},
): Promise<ProfileSummary> {
  const spoolDir = await mkdtemp(path.join(tmpdir(), "webrun-profile-ingest-"));
  try {
    const limits = { ...defaultProfileArchiveLimits, ...options.limits };
    const upload = path.join(spoolDir, "upload.tar.gz");
    let layout: ProfileLayout | undefined;
    await checkArchiveToFile(source, upload, limits, (entryPath) => {
      layout ??= layoutRevealedBy(entryPath);
    });
    const ingest = new ProfileIngest(spoolDir, layout ?? { kind: "user-data-dir", prefix: "" }, options);
    return await ingest.run(createReadStream(upload), limits);
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}

class ProfileIngest {
  readonly #spool: DirectoryWriter;
  readonly #options: IngestProfileOptions;
  readonly #layout: ProfileLayout;
  readonly #maxLocalStorageBytes: number;
  #localStorageBytes = 0;
  #localeBytes = 0;
  readonly #summary: ProfileSummary = {
    origins: [],
    extensions: [],
    entries: 0,
    bytes: 0,
    dropped: 0,
    layout: "user-data-dir",
    warnings: [],
  };

  constructor(spoolDir: string, layout: ProfileLayout, options: IngestProfileOptions) {
    this.#spool = new DirectoryWriter(spoolDir);
    this.#layout = layout;
    this.#summary.layout = layout.kind;
    this.#options = options;
    this.#maxLocalStorageBytes = options.maxLocalStorageBytes ?? 256 * 1024 * 1024;
  }

  async run(checkedArchive: Readable, limits: Partial<ArchiveLimits>): Promise<ProfileSummary> {
    await readArchiveEntries(checkedArchive, limits, (entry, body) =>
      this.#keep(entry.path, entry.size, body),
    );
    const inspect = this.#options.inspect;
    if (inspect !== undefined) {
      const inspection = await inspect(path.join(this.#spool.root, INSPECTED_ROOT));
      this.#summary.origins = inspection.origins;
      this.#summary.extensions = inspection.extensions;
      for (const warning of inspection.warnings) this.#warnOnce(warning);
    }
    return this.#summary;
  }

  async #keep(archivePath: string, size: number, body: Readable): Promise<void> {
    const userDataDirPath = toUserDataDirPath(this.#layout, archivePath);
    if (userDataDirPath === undefined || isDroppedProfilePath(userDataDirPath)) {
      this.#summary.dropped += 1;
      await discard(body);
      return;
    }
    const sink = this.#options.sink;
    const consumers: StreamConsumer[] = [
      sink === undefined ? discard : (stream) => sink({ path: userDataDirPath, size }, stream),
    ];
    const inspect = this.#inspectorFor(userDataDirPath, size);
    if (inspect !== undefined) consumers.push(inspect);
    await fanOut(body, consumers);
    this.#summary.entries += 1;
    this.#summary.bytes += size;
  }

  /** The side reader for the few files the inspector reads, if `filePath` is one of them: it is spooled at its own path. */
  #inspectorFor(filePath: string, size: number): StreamConsumer | undefined {
    if (this.#options.inspect === undefined) return undefined;
    const [profile, area, sub, ...rest] = filePath.split("/");
    if (profile === undefined || !isProfileDirectoryName(profile)) return undefined;
    const spool = (stream: Readable) => this.#spool.writeFile(`${INSPECTED_ROOT}/${filePath}`, stream);
    if (area === "Local Storage" && sub === "leveldb" && rest.length === 1) {
      if (this.#localStorageBytes + size > this.#maxLocalStorageBytes) {
        this.#warnOnce(
          `Local Storage of ${profile} is larger than ${this.#maxLocalStorageBytes} bytes: origins not listed`,
        );
        return undefined;
      }
      this.#localStorageBytes += size;
      return spool;
    }
    if (area !== "Extensions" || sub === undefined || size > MAX_DOCUMENT_BYTES) return undefined;
    const [, ...inside] = rest;
    if (inside.length === 1 && inside[0] === "manifest.json") return spool;
    if (inside.length === 3 && inside[0] === "_locales" && inside[2] === "messages.json") {
      if (this.#localeBytes + size > MAX_LOCALE_BYTES_TOTAL) return undefined;
      this.#localeBytes += size;
      return spool;
    }
    return undefined;
  }

  #warnOnce(warning: string): void {
    if (!this.#summary.warnings.includes(warning)) this.#summary.warnings.push(warning);
  }
}

async function discard(body: Readable): Promise<void> {
  await pipeline(
    body,
    new Writable({
      write(_chunk, _encoding, callback) {
        callback();
      },
    }),
  );
}
