import { execFile } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { readAll } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { manyEntriesTarGz, rawTar, runTestChromium, testChromiumPath } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestProfileArchive, type ProfileInspection } from "../../src/index.js";

const run = promisify(execFile);
const EXTENSION_ID = "ghbmnnjooekpmoecnnnilnnbdlolhkhi";

let workDir: string;
let userDataDir: string;

/** A page that writes one localStorage item for its own origin. */
function startSite(): Promise<http.Server> {
  const server = http.createServer((_request, response) => {
    response.setHeader("content-type", "text/html");
    response.end(
      '<link rel="icon" href="data:,"><script>localStorage.setItem("visited", location.origin)</script>',
    );
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Visits `url` in a real headless Chromium on `userDataDir`; `--dump-dom` exits cleanly, which flushes Local Storage. */
async function visit(url: string): Promise<void> {
  await runTestChromium(userDataDir, ["--dump-dom", url]);
}

async function tarGz(cwd: string, ...members: string[]): Promise<string> {
  const file = path.join(workDir, `upload-${Math.random().toString(36).slice(2)}.tar.gz`);
  await run("tar", ["czf", file, "-C", cwd, ...members]);
  return file;
}

/** What the injected inspector was handed: every file under the directory it got, with its bytes. */
type Inspected = Map<string, Buffer>;

async function filesUnder(root: string): Promise<Inspected> {
  const files: Inspected = new Map();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(root, full).split(path.sep).join("/"), await readFile(full));
  }
  return files;
}

const inspection: ProfileInspection = {
  origins: ["https://from-the-inspector.test"],
  extensions: [{ id: EXTENSION_ID, name: "From the inspector", version: "9" }],
  warnings: ["a warning of the inspector"],
};

async function ingest(file: string) {
  const kept = new Map<string, Buffer>();
  let inspected: Inspected | undefined;
  const summary = await ingestProfileArchive(createReadStream(file), {
    sink: async (entry, body) => {
      const bytes = await readAll(body);
      expect(bytes.length).toBe(entry.size);
      kept.set(entry.path, bytes);
    },
    inspect: async (dir) => {
      inspected = await filesUnder(dir);
      return inspection;
    },
  });
  return { summary, kept: [...kept.keys()].sort(), keptBytes: kept, inspected: inspected as Inspected };
}

/** The files the inspector needs: Local Storage leveldb files and extension manifests and locale messages. */
const isInspectedPath = (p: string) =>
  /^Default\/Local Storage\/leveldb\/[^/]+$/.test(p) ||
  /^Default\/Extensions\/[^/]+\/[^/]+\/(manifest\.json|_locales\/[^/]+\/messages\.json)$/.test(p);

beforeAll(async () => {
  expect(existsSync(testChromiumPath()), `Chromium at ${testChromiumPath()}`).toBe(true);
  workDir = await mkdtemp(path.join(tmpdir(), "webrun-profile-ingest-test-"));
  userDataDir = path.join(workDir, "User Data");
  const servers = [await startSite(), await startSite()];
  try {
    for (const server of servers) {
      await visit(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    }
  } finally {
    for (const server of servers) server.close();
  }
  // Web Store extensions live in Default/Extensions/<id>/<version>; a localised name as many have.
  const extensionDir = path.join(userDataDir, "Default", "Extensions", EXTENSION_ID, "1.2.3_0");
  await mkdir(path.join(extensionDir, "_locales", "en"), { recursive: true });
  await writeFile(
    path.join(extensionDir, "manifest.json"),
    JSON.stringify({ name: "__MSG_appName__", version: "1.2.3", default_locale: "en", manifest_version: 3 }),
  );
  await writeFile(
    path.join(extensionDir, "_locales", "en", "messages.json"),
    JSON.stringify({ APPNAME: { message: "Localised Name" } }),
  );
}, 120_000);

afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("ingesting a real Chromium profile", () => {
  it("rooted at the user-data-dir: the inspector reads the spooled files, caches and locks dropped", async () => {
    const { summary, kept, keptBytes, inspected } = await ingest(await tarGz(userDataDir, "."));
    expect(summary.layout).toBe("user-data-dir");
    expect(summary).toMatchObject(inspection);
    const wanted = kept.filter(isInspectedPath);
    expect(wanted).toContain(`Default/Extensions/${EXTENSION_ID}/1.2.3_0/_locales/en/messages.json`);
    expect([...inspected.keys()].sort()).toEqual(wanted);
    for (const file of wanted) expect(inspected.get(file)).toEqual(keptBytes.get(file));
    expect(kept).toContain("Local State");
    expect(kept).toContain("Default/Preferences");
    expect(kept).toContain(`Default/Extensions/${EXTENSION_ID}/1.2.3_0/manifest.json`);
    expect(kept.some((p) => p.startsWith("Default/Local Storage/leveldb/"))).toBe(true);
    expect(kept.filter((p) => /(^|\/)(Cache|Code Cache|GPUCache|LOCK|Singleton\w+)(\/|$)/.test(p))).toEqual(
      [],
    );
    expect(summary.dropped).toBeGreaterThan(0);
    expect(summary.entries).toBe(kept.length);
  });

  it("rooted at Default/ or wrapped in a folder: the same files under user-data-dir paths", async () => {
    const fromRoot = (await ingest(await tarGz(userDataDir, "."))).kept;
    const fromDefault = await ingest(await tarGz(path.join(userDataDir, "Default"), "."));
    expect(fromDefault.summary.layout).toBe("profile-directory");
    expect(fromDefault.kept).toEqual(fromRoot.filter((p) => p.startsWith("Default/")));
    expect([...fromDefault.inspected.keys()].sort()).toEqual(fromRoot.filter(isInspectedPath));

    const wrapped = await ingest(await tarGz(workDir, "User Data"));
    expect(wrapped.summary.layout).toBe("user-data-dir");
    expect(wrapped.kept).toEqual(fromRoot);
    expect([...wrapped.inspected.keys()].sort()).toEqual(fromRoot.filter(isInspectedPath));
  });

  it("learns the layout from the first entry that reveals it, and keeps any archive as user-data-dir when none does", async () => {
    const archive = gzipSync(
      rawTar([
        { name: "profile/notes.txt", content: "before any marker" },
        { name: "profile/Preferences", content: "{}" },
      ]),
    );
    const kept: string[] = [];
    const summary = await ingestProfileArchive(Readable.from([archive]), {
      sink: async (entry, body) => {
        await readAll(body);
        kept.push(entry.path);
      },
    });
    expect(summary.layout).toBe("profile-directory");
    expect(kept).toEqual(["Default/notes.txt", "Default/Preferences"]);

    const plain = await ingestProfileArchive(
      Readable.from([gzipSync(rawTar([{ name: "hello.txt", content: "hi" }]))]),
    );
    expect(plain).toMatchObject({
      layout: "user-data-dir",
      entries: 1,
      bytes: 2,
      origins: [],
      extensions: [],
    });
  });

  it("refuses hostile uploads with the archive codes", async () => {
    const link = gzipSync(
      rawTar([{ name: "Default/Preferences", type: "symlink", linkName: "/etc/passwd" }]),
    );
    const error = await ingestProfileArchive(Readable.from([link])).catch((caught: unknown) => caught);
    expect(isWebrunError(error, "ARCHIVE_LINK_REFUSED")).toBe(true);
    const notGzip = await ingestProfileArchive(Readable.from([Buffer.from("PK\u0003\u0004")])).catch(
      (e: unknown) => e,
    );
    expect(isWebrunError(notGzip, "ARCHIVE_NOT_TAR_GZ")).toBe(true);
  });
});

describe("a hostile upload of 200,000 tiny entries", () => {
  it("is refused within 5 s with ARCHIVE_TOO_MANY_ENTRIES naming the limit, before any file is stored", async () => {
    const archive = await manyEntriesTarGz(200_000, "Default/");
    let stored = 0;
    const started = performance.now();
    const error = await ingestProfileArchive(Readable.from([archive]), {
      sink: async (_file, body) => {
        stored += 1;
        await readAll(body);
      },
    }).catch((caught: unknown) => caught);
    const elapsedMs = performance.now() - started;
    expect(isWebrunError(error, "ARCHIVE_TOO_MANY_ENTRIES")).toBe(true);
    expect((error as Error).message).toBe("Archive has more than 20000 entries");
    expect(stored).toBe(0);
    expect(elapsedMs).toBeLessThan(5_000);
  }, 60_000);
});
