import { randomBytes } from "node:crypto";
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { isWebrunError, WebrunError } from "@webrun/errors";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createEncryptedBlobStore,
  createMemoryBlobStore,
  keyringFromConfig,
  loadOrCreateLocalKeyring,
  loadOrCreateSecretFile,
  readAll,
} from "../../src/index.js";

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
}

describe("keyringFromConfig", () => {
  const a = randomBytes(32);
  const b = randomBytes(32);

  it("parses several keys and the active id, accepting URL-safe base64", () => {
    const keyring = keyringFromConfig({
      masterKeys: `old:${a.toString("base64")}, new:${b.toString("base64url")}`,
      activeKeyId: "new",
    });
    expect(keyring.activeKeyId).toBe("new");
    expect(keyring.keyIds).toEqual(["old", "new"]);
  });

  it("defaults the active key when only one is given, and demands a choice otherwise", () => {
    expect(keyringFromConfig({ masterKeys: `only:${a.toString("base64")}` }).activeKeyId).toBe("only");
    const error = captureError(() =>
      keyringFromConfig({ masterKeys: `x:${a.toString("base64")},y:${b.toString("base64")}` }),
    );
    expect(isWebrunError(error, "MASTER_KEY_INVALID")).toBe(true);
  });

  it("refuses bad entries without echoing key material", () => {
    const short = randomBytes(16).toString("base64");
    const cases = [
      `k:${short}`,
      `k:${a.toString("base64")},k:${b.toString("base64")}`,
      a.toString("base64"),
      `bad id:${a.toString("base64")}`,
      `k:${a.toString("base64")}!!`,
      "",
    ];
    for (const masterKeys of cases) {
      const error = captureError(() => keyringFromConfig({ masterKeys }));
      expect(isWebrunError(error, "MASTER_KEY_INVALID"), masterKeys).toBe(true);
      expect(error.message).not.toContain(short);
      expect(error.message).not.toContain(a.toString("base64"));
    }
    const missing = captureError(() =>
      keyringFromConfig({ masterKeys: `k:${a.toString("base64")}`, activeKeyId: "nope" }),
    );
    expect(isWebrunError(missing, "MASTER_KEY_INVALID")).toBe(true);
  });

  it("never shows key material in toString, JSON or inspect", () => {
    const keyring = keyringFromConfig({ masterKeys: `k:${a.toString("base64")}` });
    const shown = [
      String(keyring),
      JSON.stringify(keyring),
      inspect(keyring, { depth: 10, showHidden: true }),
    ];
    for (const text of shown) {
      expect(text).toContain("k");
      for (const encoding of ["base64", "hex", "base64url"] as const)
        expect(text).not.toContain(a.toString(encoding).slice(0, 12));
    }
  });
});

describe("loadOrCreateLocalKeyring", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "webrun-keyring-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates a 0600 key once and loads the same key afterwards", async () => {
    const first = await loadOrCreateLocalKeyring(join(dir, "data"));
    expect(first.created).toBe(true);
    expect((await stat(first.path)).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await readFile(first.path, "utf8")).trim(), "base64").length).toBe(32);
    const second = await loadOrCreateLocalKeyring(join(dir, "data"));
    expect(second.created).toBe(false);
    const inner = createMemoryBlobStore();
    await createEncryptedBlobStore(inner, first.keyring).put("x", "hello");
    const got = await createEncryptedBlobStore(inner, second.keyring).get("x");
    expect((await readAll(got.body)).toString()).toBe("hello");
  });

  it("ends with one key when several processes start at once", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateLocalKeyring(dir)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const inner = createMemoryBlobStore();
    await createEncryptedBlobStore(inner, (results[0] as (typeof results)[0]).keyring).put("x", "same");
    for (const { keyring } of results)
      expect((await readAll((await createEncryptedBlobStore(inner, keyring).get("x")).body)).toString()).toBe(
        "same",
      );
  });

  it("refuses a key file other users can read", async () => {
    const { path } = await loadOrCreateLocalKeyring(dir);
    await chmod(path, 0o644);
    await expect(loadOrCreateLocalKeyring(dir)).rejects.toThrow(/mode 0644.*chmod 600/);
  });

  it("refuses a key file of the wrong length without echoing it", async () => {
    const path = join(dir, "master.key");
    const wrong = randomBytes(20).toString("base64");
    await writeFile(path, `${wrong}\n`, { mode: 0o600 });
    const error = await loadOrCreateLocalKeyring(dir).catch((e: unknown) => e as Error);
    expect(isWebrunError(error, "MASTER_KEY_INVALID")).toBe(true);
    expect((error as Error).message).toMatch(/32 bytes/);
    expect((error as Error).message).not.toContain(wrong);
  });
});

describe("loadOrCreateSecretFile", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "webrun-secret-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const options = (secret: string) => ({
    generate: () => secret,
    what: "test secret",
    invalid: (message: string) => new WebrunError({ kind: "invalid_input", code: "TEST_SECRET", message }),
  });

  it("writes the first caller's secret, 0600 in a 0700 folder, and every concurrent caller reads that one", async () => {
    const path = join(dir, "nested", "secret.txt");
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => loadOrCreateSecretFile(path, options(`secret-${i}`))),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.find((r) => r.created)?.content;
    for (const result of results) expect(result.content).toBe(winner);
    expect(await readFile(path, "utf8")).toBe(`${winner}\n`);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "nested"))).mode & 0o777).toBe(0o700);
    const again = await loadOrCreateSecretFile(path, options("other"));
    expect(again).toEqual({ content: winner, created: false });
  });

  it("refuses a file others may read with the caller's error, naming the file and never its content", async () => {
    const path = join(dir, "secret.txt");
    await writeFile(path, "hunter2-hunter2-hunter2\n", { mode: 0o640 });
    await chmod(path, 0o640);
    const error = await loadOrCreateSecretFile(path, options("x")).then(
      () => new Error("accepted"),
      (e: unknown) => e as Error,
    );
    expect(isWebrunError(error, "TEST_SECRET")).toBe(true);
    expect(error.message).toBe(
      `test secret ${path} has mode 0640: other users may read it; run chmod 600 ${path}`,
    );
    expect(error.message).not.toContain("hunter2");
  });
});
