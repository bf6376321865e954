import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { gunzipSync, gzipSync } from "node:zlib";
import { createMemoryBlobStore, readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import type { BrowserStateInput } from "@webrun/state";
import { pseudoRandomBytes } from "@webrun/test-fixtures";
import tar from "tar-stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  packEnvironmentArchive,
  unpackEnvironmentArchive,
  unpackEnvironmentArchiveToDirectory,
} from "../../src/index.js";

// Disk and zlib work on a shared 2-core machine: generous, but still a bound.
vi.setConfig({ testTimeout: 30_000 });

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");
const EXTENSION_A = "abcdefghijklmnopabcdefghijklmnop";
const EXTENSION_B = "ponmlkjihgfedcbaponmlkjihgfedcba";

/** Extension files with unicode names, one empty, one large enough to span many tar blocks. */
const extensionContent: Record<string, Record<string, Buffer>> = {
  [EXTENSION_A]: {
    "manifest.json": Buffer.from(JSON.stringify({ name: "A", version: "1.0", manifest_version: 3 })),
    "icons/café.png": pseudoRandomBytes(70_000, 11),
    "_locales/ja/メッセージ.json": Buffer.from('{"名前":{"message":"拡張"}}'),
    "empty.txt": Buffer.alloc(0),
  },
  [EXTENSION_B]: {
    "manifest.json": Buffer.from(JSON.stringify({ name: "B", version: "2.0", manifest_version: 3 })),
    "js/背景 worker.js": Buffer.from("chrome.runtime.onInstalled.addListener(() => {});\n"),
  },
};

function stateWithExtensions(): BrowserStateInput {
  return {
    version: 1,
    cookies: [
      {
        name: "sid",
        value: "s3cr3t",
        domain: ".example.com",
        path: "/",
        expires: -1,
        httpOnly: true,
        secure: true,
        session: true,
      },
    ],
    origins: [{ origin: "https://example.com", localStorage: [{ name: "ключ", value: "значение" }] }],
    extensions: Object.entries(extensionContent).map(([id, files]) => ({
      id,
      name: id === EXTENSION_A ? "A" : "B",
      version: "1.0",
      manifest: { manifest_version: 3 },
      files: Object.entries(files).map(([filePath, bytes]) => ({
        path: filePath,
        size: bytes.length,
        sha256: sha256(bytes),
      })),
    })),
  };
}

const extensionFiles = (id: string, filePath: string) => {
  const bytes = extensionContent[id]?.[filePath];
  if (bytes === undefined) throw new Error(`no such file ${id}/${filePath}`);
  return Readable.from([bytes]);
};

function* chunksOf(bytes: Buffer, pulled: { bytes: number }): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += 64 * 1024) {
    pulled.bytes = offset + 64 * 1024;
    yield bytes.subarray(offset, offset + 64 * 1024);
  }
}

let workDir: string;
beforeEach(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "webrun-env-archive-"));
});
afterEach(async () => {
  await rm(workDir, { recursive: true, force: true });
});

async function makeProfile(): Promise<string> {
  const profile = path.join(workDir, "user-data");
  await mkdir(path.join(profile, "Default", "Local Storage", "leveldb"), { recursive: true });
  await mkdir(path.join(profile, "Default", "Cache", "Cache_Data"), { recursive: true });
  await writeFile(path.join(profile, "Local State"), '{"profile":{}}');
  await writeFile(path.join(profile, "Default", "Preferences"), '{"ünïcode":true}');
  await writeFile(
    path.join(profile, "Default", "Local Storage", "leveldb", "000003.log"),
    pseudoRandomBytes(5000, 2),
  );
  await writeFile(path.join(profile, "Default", "Local Storage", "leveldb", "LOCK"), "");
  await writeFile(path.join(profile, "Default", "Cache", "Cache_Data", "data_0"), "cached");
  await symlink("host-1234", path.join(profile, "SingletonLock"));
  return profile;
}

async function pack(options: Partial<Parameters<typeof packEnvironmentArchive>[0]> = {}): Promise<Buffer> {
  return readAll(packEnvironmentArchive({ state: stateWithExtensions(), extensionFiles, ...options }));
}

async function entryNames(archive: Buffer): Promise<string[]> {
  const names: string[] = [];
  const extract = tar.extract();
  const done = (async () => {
    for await (const entry of extract) {
      names.push(entry.header.name);
      entry.resume();
    }
  })();
  extract.end(gunzipSync(archive));
  await done;
  return names;
}

/** Rebuilds an archive with some entries changed or removed (test-only, in memory). */
async function rewrite(
  archive: Buffer,
  change: (name: string, content: Buffer) => Buffer | null,
  append: { name: string; content: Buffer }[] = [],
): Promise<Buffer> {
  const extract = tar.extract();
  const entries: { name: string; content: Buffer }[] = [];
  const done = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      entries.push({ name: entry.header.name, content: Buffer.concat(chunks) });
    }
  })();
  extract.end(gunzipSync(archive));
  await done;
  const packer = tar.pack();
  for (const { name, content } of entries) {
    const changed = change(name, content);
    if (changed !== null) packer.entry({ name, size: changed.length }, changed);
  }
  for (const { name, content } of append) packer.entry({ name, size: content.length }, content);
  packer.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of packer) chunks.push(chunk as Buffer);
  return gzipSync(Buffer.concat(chunks));
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(isWebrunError(error), String(error)).toBe(true);
  return (error as { code: string }).code;
}

describe("environment archive round trip", () => {
  it("packs manifest and state first, then extension files, then the profile minus caches and locks", async () => {
    const archive = await pack({ profileDir: await makeProfile() });
    expect(archive.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(await entryNames(archive)).toEqual([
      "manifest.json",
      "state.json",
      `extensions/${EXTENSION_A}/manifest.json`,
      `extensions/${EXTENSION_A}/icons/café.png`,
      `extensions/${EXTENSION_A}/_locales/ja/メッセージ.json`,
      `extensions/${EXTENSION_A}/empty.txt`,
      `extensions/${EXTENSION_B}/manifest.json`,
      `extensions/${EXTENSION_B}/js/背景 worker.js`,
      "profile/Default/Local Storage/leveldb/000003.log",
      "profile/Default/Preferences",
      "profile/Local State",
    ]);
  });

  it("unpacks to a directory byte-equal, with the state validated and free of inline content", async () => {
    const profile = await makeProfile();
    const archive = await pack({ profileDir: profile, createdAt: new Date("2026-01-02T03:04:05.000Z") });
    const target = path.join(workDir, "unpacked");
    const { manifest, state, stats } = await unpackEnvironmentArchiveToDirectory(
      Readable.from([archive]),
      target,
    );

    expect(manifest.createdAt).toBe("2026-01-02T03:04:05.000Z");
    expect(manifest.counts).toEqual({ extensions: 2, extensionFiles: 6, profileFiles: 3 });
    expect(stats.files).toBe(11);
    expect(state.cookies[0]?.value).toBe("s3cr3t");
    expect(state.origins[0]?.localStorage).toEqual([{ name: "ключ", value: "значение" }]);
    expect(state.extensions.flatMap((e) => e.files).every((f) => f.contentBase64 === undefined)).toBe(true);
    for (const [id, files] of Object.entries(extensionContent)) {
      for (const [filePath, bytes] of Object.entries(files)) {
        expect(await readFile(path.join(target, "extensions", id, ...filePath.split("/")))).toEqual(bytes);
      }
    }
    expect(await readFile(path.join(target, "profile", "Default", "Preferences"), "utf8")).toBe(
      '{"ünïcode":true}',
    );
    expect(
      await readFile(path.join(target, "profile", "Default", "Local Storage", "leveldb", "000003.log")),
    ).toEqual(pseudoRandomBytes(5000, 2));
    expect((await readdir(workDir)).sort()).toEqual(["unpacked", "user-data"]);
  });

  it("packs from contentBase64 when no file source is given, and streams files into a BlobStore", async () => {
    const input = stateWithExtensions();
    for (const extension of input.extensions ?? []) {
      for (const file of extension.files ?? []) {
        file.contentBase64 = extensionContent[extension.id]?.[file.path]?.toString("base64");
      }
    }
    const archive = await readAll(packEnvironmentArchive({ state: input }));
    const store = createMemoryBlobStore();
    const { state } = await unpackEnvironmentArchive(
      Readable.from([archive]),
      {},
      {
        extensionFile: async (file, body) => {
          await store.put(`ext/${file.extensionId}/${file.path}`, body);
        },
      },
    );
    expect(state.extensions).toHaveLength(2);
    const stored = await readAll((await store.get(`ext/${EXTENSION_A}/icons/café.png`)).body);
    expect(stored).toEqual(extensionContent[EXTENSION_A]?.["icons/café.png"]);
  });
});

describe("profile files from storage", () => {
  it("packs profileFiles streamed from their sources and unpacks them to the profile sink", async () => {
    const preferences = Buffer.from('{"profile":{"name":"Person 1"}}');
    const log = pseudoRandomBytes(30_000, 4);
    const profileFiles = [
      { path: "Default/Preferences", bytes: preferences },
      { path: "Default/Local Storage/leveldb/000003.log", bytes: log },
    ].map(({ path: filePath, bytes }) => ({
      path: filePath,
      size: bytes.length,
      sha256: sha256(bytes),
      open: () => Readable.from([bytes]),
    }));
    const archive = await pack({ profileFiles });
    const received = new Map<string, Buffer>();
    const { manifest } = await unpackEnvironmentArchive(
      Readable.from([archive]),
      {},
      {
        extensionFile: async (_file, body) => {
          await readAll(body);
        },
        profileFile: async (file, body) => {
          received.set(file.path, await readAll(body));
        },
      },
    );
    expect(manifest.counts.profileFiles).toBe(2);
    expect(received.get("Default/Preferences")).toEqual(preferences);
    expect(received.get("Default/Local Storage/leveldb/000003.log")).toEqual(log);
  });

  it("refuses profileFiles paths that are not plain relative paths", async () => {
    const escaping = [
      { path: "../outside", size: 1, sha256: sha256(Buffer.from("x")), open: () => Readable.from(["x"]) },
    ];
    expect(await codeOf(pack({ profileFiles: escaping }))).toBe("ARCHIVE_PATH_TRAVERSAL");
    const dotted = [
      {
        path: "./Default//Preferences",
        size: 1,
        sha256: sha256(Buffer.from("x")),
        open: () => Readable.from(["x"]),
      },
    ];
    expect(await codeOf(pack({ profileFiles: dotted }))).toBe("ARCHIVE_PATH_INVALID");
  });
});

describe("environment archive integrity", () => {
  it("stops reading its sources when the consumer goes away", async () => {
    const big = pseudoRandomBytes(8 * 1024 * 1024, 9);
    const sources: Readable[] = [];
    const pulled = { bytes: 0 };
    const state = stateWithExtensions();
    const first = state.extensions?.[0]?.files?.[0];
    if (first === undefined) throw new Error("fixture has no extension file");
    Object.assign(first, { size: big.length, sha256: sha256(big) });
    const output = packEnvironmentArchive({
      state,
      extensionFiles: (id, filePath) => {
        const source =
          filePath === first.path
            ? Readable.from(chunksOf(big, pulled), { objectMode: false })
            : extensionFiles(id, filePath);
        sources.push(source);
        return source;
      },
    });
    for await (const _chunk of output) break;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sources.length).toBe(1);
    expect(sources[0]?.destroyed).toBe(true);
    expect(pulled.bytes).toBeGreaterThan(0);
    expect(pulled.bytes).toBeLessThan(big.length / 2);
  });

  it("fails the pack stream when an extension file is not what the state says", async () => {
    const wrongBytes = (id: string, filePath: string) =>
      filePath === "empty.txt" ? Readable.from([Buffer.from("surprise")]) : extensionFiles(id, filePath);
    expect(await codeOf(pack({ extensionFiles: wrongBytes }))).toBe("ENV_ARCHIVE_INTEGRITY");
  });

  it("refuses a tampered extension file, committing nothing at the target nor that blob", async () => {
    const archive = await rewrite(await pack(), (name, content) =>
      name.endsWith("café.png")
        ? Buffer.concat([
            content.subarray(0, 100),
            Buffer.from([(content[100] ?? 0) ^ 1]),
            content.subarray(101),
          ])
        : content,
    );
    const target = path.join(workDir, "unpacked");
    expect(await codeOf(unpackEnvironmentArchiveToDirectory(Readable.from([archive]), target))).toBe(
      "ENV_ARCHIVE_INTEGRITY",
    );
    expect(await readdir(workDir)).toEqual([]);

    const store = createMemoryBlobStore();
    const sinks = {
      extensionFile: async (file: { extensionId: string; path: string }, body: Readable) => {
        await store.put(`ext/${file.extensionId}/${file.path}`, body);
      },
    };
    expect(await codeOf(unpackEnvironmentArchive(Readable.from([archive]), {}, sinks))).toBe(
      "ENV_ARCHIVE_INTEGRITY",
    );
    expect(await store.head(`ext/${EXTENSION_A}/icons/café.png`)).toBeUndefined();
  });

  it("refuses an archive missing a listed file", async () => {
    const archive = await rewrite(await pack(), (name, content) =>
      name.endsWith("worker.js") ? null : content,
    );
    expect(
      await codeOf(unpackEnvironmentArchiveToDirectory(Readable.from([archive]), path.join(workDir, "t"))),
    ).toBe("ENV_ARCHIVE_INTEGRITY");
  });

  it("refuses an entry the manifest does not list", async () => {
    const withExtra = await rewrite(await pack(), (_name, content) => content, [
      { name: "profile/Default/Injected", content: Buffer.from("x") },
    ]);
    expect(
      await codeOf(unpackEnvironmentArchiveToDirectory(Readable.from([withExtra]), path.join(workDir, "t"))),
    ).toBe("ENV_ARCHIVE_INVALID");
  });

  it("refuses a state.json that does not match the manifest, or is not a valid BrowserState", async () => {
    const tampered = await rewrite(await pack(), (name, content) =>
      name === "state.json" ? Buffer.from(content.toString().replace("s3cr3t", "s3cr3T")) : content,
    );
    expect(
      await codeOf(unpackEnvironmentArchiveToDirectory(Readable.from([tampered]), path.join(workDir, "t"))),
    ).toBe("ENV_ARCHIVE_INTEGRITY");
  });

  it("refuses a state.json that matches its manifest digest but is not a valid BrowserState", async () => {
    const invalidState = Buffer.from(JSON.stringify({ version: 2, cookies: "none" }));
    const archive = await rewrite(await pack(), (name, content) => {
      if (name === "state.json") return invalidState;
      if (name !== "manifest.json") return content;
      const manifest = JSON.parse(content.toString());
      manifest.files[0] = { path: "state.json", size: invalidState.length, sha256: sha256(invalidState) };
      manifest.bytes.state = invalidState.length;
      return Buffer.from(JSON.stringify(manifest));
    });
    expect(
      await codeOf(unpackEnvironmentArchiveToDirectory(Readable.from([archive]), path.join(workDir, "t"))),
    ).toBe("STATE_INVALID");
    expect(await readdir(workDir)).toEqual([]);
  });

  it("refuses archives whose first entries are not manifest.json and state.json", async () => {
    const noManifest = await rewrite(await pack(), (name, content) =>
      name === "manifest.json" ? null : content,
    );
    expect(
      await codeOf(unpackEnvironmentArchiveToDirectory(Readable.from([noManifest]), path.join(workDir, "t"))),
    ).toBe("ENV_ARCHIVE_INVALID");
    const badManifest = await rewrite(await pack(), (name, content) =>
      name === "manifest.json" ? Buffer.from('{"format":"zip"}') : content,
    );
    expect(
      await codeOf(
        unpackEnvironmentArchiveToDirectory(Readable.from([badManifest]), path.join(workDir, "t")),
      ),
    ).toBe("ENV_ARCHIVE_INVALID");
    const inconsistent = await rewrite(await pack(), (name, content) => {
      if (name !== "manifest.json") return content;
      const manifest = JSON.parse(content.toString());
      manifest.counts.extensionFiles += 1;
      return Buffer.from(JSON.stringify(manifest));
    });
    expect(
      await codeOf(
        unpackEnvironmentArchiveToDirectory(Readable.from([inconsistent]), path.join(workDir, "t")),
      ),
    ).toBe("ENV_ARCHIVE_INVALID");
    expect(await readdir(workDir)).toEqual([]);
  });
});
