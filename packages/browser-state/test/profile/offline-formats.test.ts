import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ExtensionState } from "@webrun/state";
import { ClassicLevel } from "classic-level";
import { afterEach, describe, expect, it } from "vitest";
import {
  decodeStorageString,
  encodeStorageString,
  extensionIdForPath,
  inlineFileOpener,
  layoutExtension,
  listLocalStorageOrigins,
  localStorageDir,
  readExtensionStorage,
  readLocalStorage,
  readLocalStorageDir,
  readSessionStorageDir,
  readUnpackedExtension,
  writeExtensionStorage,
  writeLocalStorage,
} from "../../src/profile/index.js";
import { freshProfileDir, removeDir } from "./chromium-harness.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir);
});
async function tempDir(): Promise<string> {
  const dir = await freshProfileDir();
  dirs.push(dir);
  return dir;
}

async function withLevel(dir: string, rows: [string | Buffer, string | Buffer][]): Promise<void> {
  const db = new ClassicLevel<Buffer, Buffer>(dir, { keyEncoding: "buffer", valueEncoding: "buffer" });
  await db.batch(rows.map(([k, v]) => ({ type: "put", key: Buffer.from(k), value: Buffer.from(v) })));
  await db.close();
}

const utf16 = (text: string) => Buffer.from(text, "utf16le");

describe("localStorage string encoding", () => {
  it("uses Latin-1 up to U+00FF and UTF-16LE code units (lone surrogates kept) above", () => {
    expect(encodeStorageString("")).toEqual(Buffer.from([1]));
    expect(encodeStorageString("aÿ")).toEqual(Buffer.from([1, 0x61, 0xff]));
    expect(encodeStorageString("aĀ")).toEqual(Buffer.from([0, 0x61, 0, 0x00, 0x01]));
    expect(encodeStorageString("\ud800")).toEqual(Buffer.from([0, 0x00, 0xd8]));
    for (const text of ["", "aÿ", "日本\udc00x", "😀", `${"x".repeat(100_000)}語`]) {
      expect(decodeStorageString(encodeStorageString(text))).toBe(text);
    }
    expect(decodeStorageString(Buffer.from([2, 0x61]))).toBeUndefined();
    expect(decodeStorageString(Buffer.from([0, 0x61]))).toBeUndefined();
  });
});

describe("Local Storage leveldb", () => {
  it("skips storage keys BrowserState cannot hold and reports them", async () => {
    const dir = path.join(await tempDir(), "leveldb");
    await withLevel(dir, [
      ["VERSION", "1"],
      ["META:https://a.test", Buffer.from([8, 1, 16, 4])],
      ["META:chrome-extension://abcdefghijklmnopabcdefghijklmnop", Buffer.from([8, 1])],
      [
        Buffer.concat([Buffer.from("_https://a.test\x00"), encodeStorageString("k")]),
        encodeStorageString("v"),
      ],
      [
        Buffer.concat([Buffer.from("_https://a.test/^31\x00"), encodeStorageString("k")]),
        encodeStorageString("v"),
      ],
      [
        Buffer.concat([
          Buffer.from("_chrome-extension://abcdefghijklmnopabcdefghijklmnop\x00"),
          encodeStorageString("k"),
        ]),
        encodeStorageString("v"),
      ],
    ]);
    const skipped: string[] = [];
    const origins = await readLocalStorageDir(dir, { onUnsupportedStorageKey: (key) => skipped.push(key) });
    expect(origins).toEqual([
      {
        origin: "https://a.test",
        localStorage: [{ name: "k", value: "v" }],
        sessionStorage: [],
        indexedDB: [],
      },
    ]);
    // Key byte order: "chrome-extension…" sorts before "https…".
    expect(skipped).toEqual(["chrome-extension://abcdefghijklmnopabcdefghijklmnop", "https://a.test/^31"]);
    expect(await listLocalStorageOrigins(dir)).toEqual([{ origin: "https://a.test" }]);
  });

  it("refuses to write a storage key Chromium could not parse", async () => {
    const profile = await tempDir();
    const bad = {
      origin: "https://a.test\u0000x",
      localStorage: [{ name: "k", value: "v" }],
      sessionStorage: [],
      indexedDB: [],
    };
    await expect(writeLocalStorage(profile, [bad])).rejects.toMatchObject({ code: "STORAGE_KEY_INVALID" });
  });

  it("reads a profile without Local Storage as empty, and a locked one as PROFILE_LOCKED", async () => {
    const profile = await tempDir();
    expect(await readLocalStorage(profile)).toEqual([]);
    await writeLocalStorage(profile, [
      {
        origin: "https://a.test",
        localStorage: [{ name: "k", value: "v" }],
        sessionStorage: [],
        indexedDB: [],
      },
    ]);
    const holder = new ClassicLevel(localStorageDir(profile));
    await holder.open();
    try {
      await expect(readLocalStorage(profile)).rejects.toMatchObject({
        code: "PROFILE_LOCKED",
        kind: "conflict",
      });
    } finally {
      await holder.close();
    }
    expect(await readLocalStorage(profile)).toHaveLength(1);
  });
});

describe("Session Storage leveldb", () => {
  it("merges namespaces per storage key, the highest map id winning a shared key", async () => {
    const dir = path.join(await tempDir(), "Session Storage");
    const guid = (n: number) => `0000000${n}_0000_0000_0000_000000000000`;
    await withLevel(dir, [
      ["version", "1"],
      ["next-map-id", "4"],
      [`namespace-${guid(1)}-https://a.test/`, "3"],
      [`namespace-${guid(2)}-https://a.test/`, "0"],
      [`namespace-${guid(3)}-https://a.test/`, "0"], // a cloned tab sharing map 0
      [`namespace-${guid(1)}-https://b.test/^0https://a.test`, "1"],
      [`namespace-${guid(1)}-https://c.test/^31`, "2"],
      ["map-0-shared", utf16("old")],
      ["map-0-only0", utf16("zero")],
      ["map-3-shared", utf16("new")],
      [Buffer.from("map-3-日本"), utf16("語\udc00")],
      ["map-1-framed", utf16("yes")],
      ["map-2-hidden", utf16("x")],
      ["map-7-orphan", utf16("no namespace")],
    ]);
    const skipped: string[] = [];
    const origins = await readSessionStorageDir(dir, { onUnsupportedStorageKey: (key) => skipped.push(key) });
    expect(origins).toEqual([
      {
        origin: "https://a.test",
        localStorage: [],
        sessionStorage: [
          { name: "only0", value: "zero" },
          { name: "shared", value: "new" },
          { name: "日本", value: "語\udc00" },
        ],
        indexedDB: [],
      },
      {
        origin: "https://b.test",
        topLevelSite: "https://a.test",
        localStorage: [],
        sessionStorage: [{ name: "framed", value: "yes" }],
        indexedDB: [],
      },
    ]);
    expect(skipped).toEqual(["https://c.test/^31"]);
  });
});

describe("extension storage", () => {
  it("replaces an area, keeps odd keys, and refuses ids that are not extension ids", async () => {
    const profile = await tempDir();
    const id = "abcdefghijklmnopabcdefghijklmnop";
    await writeExtensionStorage(profile, id, "local", { old: 1 });
    await writeExtensionStorage(
      profile,
      id,
      "local",
      JSON.parse('{"__proto__": {"x": 1}, "": [null], "u": "語"}'),
    );
    const read = await readExtensionStorage(profile, id);
    expect(Object.keys(read.local).sort()).toEqual(["", "__proto__", "u"]);
    expect(Object.getOwnPropertyDescriptor(read.local, "__proto__")?.value).toEqual({ x: 1 });
    expect(read.sync).toEqual({});
    await expect(writeExtensionStorage(profile, "../../etc", "local", {})).rejects.toMatchObject({
      code: "EXTENSION_ID_INVALID",
    });
  });
});

describe("extension files", () => {
  async function extensionFolder(): Promise<string> {
    const dir = path.join(await tempDir(), "ext");
    await mkdir(path.join(dir, "a"), { recursive: true });
    await writeFile(
      path.join(dir, "manifest.json"),
      JSON.stringify({ manifest_version: 3, name: "n", version: "1" }),
    );
    await writeFile(path.join(dir, "a", "b.js"), "b();");
    return dir;
  }

  it("refuses symlinks and oversized folders", async () => {
    const dir = await extensionFolder();
    await expect(readUnpackedExtension(dir, { limits: { maxFileBytes: 3 } })).rejects.toMatchObject({
      code: "EXTENSION_TOO_LARGE",
    });
    await symlink("/etc/passwd", path.join(dir, "a", "link"));
    await expect(readUnpackedExtension(dir)).rejects.toMatchObject({ code: "EXTENSION_SYMLINK" });
  });

  it("lays out only verified files inside the target folder", async () => {
    const extension = await readUnpackedExtension(await extensionFolder(), { inlineFiles: true });
    expect(extension).toMatchObject({ name: "n", version: "1" });

    const escaping = {
      ...extension,
      files: [{ ...(extension.files[0] as ExtensionState["files"][number]), path: "../escape.js" }],
    } as ExtensionState;
    await expect(
      layoutExtension(escaping, path.join(await tempDir(), "x"), inlineFileOpener(extension)),
    ).rejects.toMatchObject({ code: "EXTENSION_FILE_PATH_INVALID" });

    const tampered = { ...extension, files: extension.files.map((f) => ({ ...f, contentBase64: "AAAA" })) };
    await expect(
      layoutExtension(tampered, path.join(await tempDir(), "y"), inlineFileOpener(tampered)),
    ).rejects.toMatchObject({ code: "EXTENSION_FILE_MISMATCH" });

    const target = path.join(await tempDir(), "z");
    const laidOut = await layoutExtension(extension, target, inlineFileOpener(extension));
    expect(laidOut.id).toBe(extensionIdForPath(target));
    expect((await readUnpackedExtension(target)).files).toEqual(
      extension.files.map(({ contentBase64: _, ...file }) => file),
    );
    // Laying out twice into the same folder never overwrites.
    await expect(layoutExtension(extension, target, inlineFileOpener(extension))).rejects.toThrow();
  });
});
