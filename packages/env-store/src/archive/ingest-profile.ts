import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { listLocalStorageOrigins } from "@webrun/browser-state";
import { readArchiveEntries } from "./archive-reader.js";
import { fanOut, type StreamConsumer } from "./fan-out.js";
import type { ArchiveLimits } from "./limits.js";
import { isDroppedProfilePath, isProfileDirectoryName } from "./profile-drop-list.js";
import { layoutRevealedBy, type ProfileLayout, toUserDataDirPath } from "./profile-layout.js";
import { DirectoryWriter } from "./staging-directory.js";

/** What an uploaded Chrome profile holds, found while it streamed past. */
export interface ProfileSummary {
  /**
   * Origins with localStorage (from `Local Storage/leveldb` `META:` rows, read by
   * `@webrun/browser-state`), sorted; partitioned storage counts for its own origin.
   */
  origins: string[];
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
  /** Before the layout is known, entries are spooled to a temp dir up to this many bytes; then it is assumed rooted at the user-data-dir. */
  maxPendingBytes?: number;
  /** Local Storage leveldb bytes spooled for reading origins; beyond this, origins are not listed. */
  maxLocalStorageBytes?: number;
}

const MAX_DOCUMENT_BYTES = 1024 * 1024;
const MAX_LOCALE_BYTES_TOTAL = 32 * 1024 * 1024;

/**
 * Ingests an uploaded Chrome profile `.tar.gz` as a stream, with every
 * check of {@link readArchiveEntries}: detects whether it is rooted at the
 * user-data-dir or at a profile directory, drops caches and lock files,
 * hands each kept file to `sink` under its user-data-dir path, and
 * inspects on the way: only the small Local Storage leveldb folders are
 * spooled to disk (to read their origins), and extension manifests and
 * locale messages are read in memory (≤ 1 MiB each). On rejection, what the
 * sink stored is the caller's to discard.
 */
export async function ingestProfileArchive(
  source: Readable,
  options: IngestProfileOptions = {},
): Promise<ProfileSummary> {
  const spoolDir = await mkdtemp(path.join(tmpdir(), "webrun-profile-ingest-"));
  try {
    return await new ProfileIngest(spoolDir, options).run(source);
  } finally {
    await rm(spoolDir, { recursive: true, force: true });
  }
}

interface PendingFile {
  path: string;
  size: number;
  spoolPath: string;
}

class ProfileIngest {
  readonly #spool: DirectoryWriter;
  readonly #options: IngestProfileOptions;
  readonly #maxPendingBytes: number;
  readonly #maxLocalStorageBytes: number;
  #layout: ProfileLayout | undefined;
  #decided = false;
  readonly #pending: PendingFile[] = [];
  #pendingBytes = 0;
  #localStorageBytes = 0;
  readonly #localStorageDirs = new Set<string>();
  readonly #manifests = new Map<string, Buffer>();
  readonly #messages = new Map<string, Buffer>();
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

  constructor(spoolDir: string, options: IngestProfileOptions) {
    this.#spool = new DirectoryWriter(spoolDir);
    this.#options = options;
    this.#maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#maxLocalStorageBytes = options.maxLocalStorageBytes ?? 256 * 1024 * 1024;
  }

  async run(source: Readable): Promise<ProfileSummary> {
    await readArchiveEntries(
      source,
      this.#options.limits ?? {},
      async (entry, body) => {
        this.#learnLayout(entry.path);
        const undecided = !this.#decided && this.#layout === undefined;
        if (undecided && this.#pendingBytes + entry.size <= this.#maxPendingBytes) {
          await this.#holdBack(entry.path, entry.size, body);
          return;
        }
        await this.#decide(this.#layout ?? { kind: "user-data-dir", prefix: "" });
        await this.#keep(entry.path, entry.size, body);
      },
      { onDirectory: (directory) => this.#learnLayout(directory) },
    );
    await this.#decide(this.#layout ?? { kind: "user-data-dir", prefix: "" });
    this.#summary.origins = await this.#readOrigins();
    this.#summary.extensions = this.#readExtensions();
    return this.#summary;
  }

  #learnLayout(relativePath: string): void {
    this.#layout ??= layoutRevealedBy(relativePath);
  }

  /** Entries seen before the layout is known wait in the spool, on disk. */
  async #holdBack(archivePath: string, size: number, body: Readable): Promise<void> {
    const spoolPath = `pending/${this.#pending.length}`;
    await this.#spool.writeFile(spoolPath, body);
    this.#pending.push({ path: archivePath, size, spoolPath });
    this.#pendingBytes += size;
  }

  /** Fixes the layout once, then replays what waited in the spool, in archive order. */
  async #decide(layout: ProfileLayout): Promise<void> {
    if (this.#decided) return;
    this.#decided = true;
    this.#layout = layout;
    this.#summary.layout = layout.kind;
    const pending = this.#pending.splice(0);
    for (const file of pending) {
      const spooled = path.join(this.#spool.root, ...file.spoolPath.split("/"));
      await this.#keep(file.path, file.size, createReadStream(spooled));
      await rm(spooled);
    }
  }

  async #keep(archivePath: string, size: number, body: Readable): Promise<void> {
    const layout = this.#layout as ProfileLayout;
    const userDataDirPath = toUserDataDirPath(layout, archivePath);
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

  /** The side reader for the few files the summary needs, if `filePath` is one of them. */
  #inspectorFor(filePath: string, size: number): StreamConsumer | undefined {
    const segments = filePath.split("/");
    const [profile, area, sub, ...rest] = segments;
    if (profile === undefined || !isProfileDirectoryName(profile)) return undefined;
    if (area === "Local Storage" && sub === "leveldb" && rest.length === 1) {
      if (this.#localStorageBytes + size > this.#maxLocalStorageBytes) {
        this.#warnOnce(
          `Local Storage of ${profile} is larger than ${this.#maxLocalStorageBytes} bytes: origins not listed`,
        );
        return undefined;
      }
      this.#localStorageBytes += size;
      this.#localStorageDirs.add(profile);
      return (stream) => this.#spool.writeFile(`local-storage/${profile}/${rest[0]}`, stream);
    }
    if (area !== "Extensions" || sub === undefined || size > MAX_DOCUMENT_BYTES) return undefined;
    const [version, ...inside] = rest;
    const key = `${profile}/${sub}/${version}`;
    if (inside.length === 1 && inside[0] === "manifest.json") {
      return async (stream) => {
        this.#manifests.set(key, await collect(stream));
      };
    }
    if (inside.length === 3 && inside[0] === "_locales" && inside[2] === "messages.json") {
      if (this.#localeBytes + size > MAX_LOCALE_BYTES_TOTAL) return undefined;
      this.#localeBytes += size;
      return async (stream) => {
        this.#messages.set(`${key}/${inside[1]}`, await collect(stream));
      };
    }
    return undefined;
  }

  async #readOrigins(): Promise<string[]> {
    const origins = new Set<string>();
    for (const profile of [...this.#localStorageDirs].sort()) {
      const dir = path.join(this.#spool.root, "local-storage", profile);
      try {
        for (const { origin } of await listLocalStorageOrigins(dir)) origins.add(origin);
      } catch {
        this.#warnOnce(`Local Storage of ${profile} could not be read as a leveldb: origins not listed`);
      }
    }
    return [...origins].sort();
  }

  #readExtensions(): ProfileExtension[] {
    const byId = new Map<string, ProfileExtension>();
    for (const [key, bytes] of this.#manifests) {
      const [, id] = key.split("/") as [string, string, string];
      const manifest = parseJsonObject(bytes);
      if (manifest === undefined) {
        this.#warnOnce(`extension ${id}: manifest.json is not a JSON object`);
        continue;
      }
      const version = typeof manifest.version === "string" ? manifest.version.slice(0, 64) : "";
      const rawName = typeof manifest.name === "string" ? manifest.name : id;
      const locale = typeof manifest.default_locale === "string" ? manifest.default_locale : undefined;
      const name = this.#localised(rawName, key, locale).slice(0, 256);
      const existing = byId.get(id);
      if (existing === undefined || compareVersions(version, existing.version) > 0)
        byId.set(id, { id, name, version });
    }
    return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Resolves `__MSG_name__` from `_locales/<default_locale>/messages.json`, matching keys case-insensitively as Chrome does. */
  #localised(text: string, extensionKey: string, locale: string | undefined): string {
    const match = /^__MSG_(\w+)__$/.exec(text);
    if (match === null || locale === undefined) return text;
    const messages = parseJsonObject(this.#messages.get(`${extensionKey}/${locale}`));
    const wanted = (match[1] as string).toLowerCase();
    for (const [messageKey, value] of Object.entries(messages ?? {})) {
      if (messageKey.toLowerCase() !== wanted) continue;
      const message = (value as { message?: unknown } | null)?.message;
      if (typeof message === "string") return message;
    }
    return text;
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

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseJsonObject(bytes: Buffer | undefined): Record<string, unknown> | undefined {
  if (bytes === undefined) return undefined;
  try {
    // Chrome accepts a UTF-8 BOM in extension JSON files.
    const parsed: unknown = JSON.parse(bytes.toString("utf8").replace(/^\uFEFF/, ""));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Chrome extension versions are 1–4 dot-separated integers. */
function compareVersions(a: string, b: string): number {
  const left = a.split(".").map(Number);
  const right = b.split(".").map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0 && !Number.isNaN(difference)) return difference;
  }
  return 0;
}
