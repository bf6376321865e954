import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { chmod, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { findChromium, killProcessGroup, processGroupGone } from "@webrun/browser-state";
import { isWebrunError, WebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { retryUnsavedCapture, type Session, type SessionBackend } from "../src/index.js";
import { leftIn, logIn, statusOf, userId, useSessionWorld } from "./support/session-world.js";

describe("bad input and faults", () => {
  const world = useSessionWorld();

  it("an unknown, malformed or another user's environment id is refused before any browser starts", async () => {
    // A Chromium that leaves a mark when started: proof that none was.
    const dir = await mkdtemp(path.join(tmpdir(), "webrun-chromium-spy-"));
    const mark = path.join(dir, "started");
    const spy = path.join(dir, "chromium");
    await writeFile(
      spy,
      `#!/bin/sh\ntouch ${JSON.stringify(mark)}\nexec ${JSON.stringify(findChromium())} "$@"\n`,
    );
    await chmod(spy, 0o755);
    const strangers = (await world.environments.create("mallory", { name: "theirs" }))._id;
    const deleted = await world.createEnvironment("deleted");
    await world.environments.delete(userId, deleted);
    for (const id of ["0123456789abcdef01234567", "../../etc", strangers, deleted]) {
      const error = await world.open(id, { executablePath: spy }).catch((caught: unknown) => caught);
      expect(isWebrunError(error, "ENVIRONMENT_NOT_FOUND"), String(error)).toBe(true);
      expect((error as WebrunError).kind).toBe("not_found");
      expect((error as Error).message).toBe("Environment not found");
    }
    expect(existsSync(mark)).toBe(false);
    expect(await leftIn(world.tempDir)).toEqual([]);
    // The spy itself works: a real id starts it.
    const session = await world.open(await world.createEnvironment("spied"), { executablePath: spy });
    await session.close({ save: false });
    expect(existsSync(mark)).toBe(true);
  });

  it("a browser killed mid-session: the receipt says nothing was saved and why; the head is unchanged", async () => {
    const envId = await world.createEnvironment("crash");
    const setup = await world.open(envId);
    await logIn(setup, world.sites, "bank");
    expect((await setup.close()).saved?.version).toBe(1);

    const session = await world.open(envId);
    await logIn(session, world.sites, "shop");
    process.kill(session.pid, "SIGKILL");
    await session.exited;
    const receipt = await session.close();
    expect(receipt).toMatchObject({ saved: null, notSaved: { code: "BROWSER_EXITED" } });
    expect(receipt.notSaved?.message).toContain("exited before the session closed; nothing was saved");
    expect((await world.environments.history(userId, envId)).map((v) => v.version)).toEqual([1]);
    expect(await leftIn(world.tempDir)).toEqual([]);
  });

  it("a failed save keeps the capture owner-only and says how to retry; the retry saves it", async () => {
    const envId = await world.createEnvironment("retry");
    const failing = withFailingSave(world.backend);
    const session = await world.open(envId, { backend: failing });
    await logIn(session, world.sites, "bank");
    await logIn(session, world.sites, "vault");
    const error = await session.close().catch((caught: unknown) => caught);
    expect(isWebrunError(error, "SESSION_SAVE_FAILED"), String(error)).toBe(true);
    const failure = error as WebrunError;
    expect(failure.kind).toBe("unavailable");
    const folder = failure.details.folder as string;
    expect(path.dirname(folder)).toBe(world.unsavedDir);
    expect(failure.message).toContain(folder);
    expect(failure.message).toContain("store unreachable");
    expect(failure.message).toContain(`retryUnsavedCapture(backend, ${JSON.stringify(folder)})`);
    expect(failure.message).toContain(`PUT /environments/${envId}/state?base=none;`);
    // What the kept capture holds is said too: the receipt that never came would have had it.
    expect(failure.details.captured).toMatchObject({ complete: true, passkeys: { kept: 0, of: 0 } });
    const kept = path.join(folder, "capture.json");
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
    expect((await stat(kept)).mode & 0o777).toBe(0o600);
    // No cookie value in what is shown; it is in the kept file.
    const bankCookie = JSON.parse(await readFile(kept, "utf8")).state.cookies.find(
      (cookie: { name: string }) => cookie.name === "bank_session",
    );
    expect(failure.message).not.toContain(bankCookie.value);
    expect(JSON.stringify(failure.details)).not.toContain(bankCookie.value);
    // The browser and the session's folders are gone all the same; nothing was saved.
    expect(await leftIn(world.tempDir)).toEqual([]);
    expect((await world.environments.get(userId, envId)).version).toBeNull();

    const saved = await retryUnsavedCapture(world.backend, folder);
    // The storage snapshot (the vault's OPFS token) was kept with the capture and goes with the retry.
    expect(saved).toMatchObject({
      version: 1,
      baseVersion: null,
      merged: false,
      snapshot: { outcome: "replaced" },
    });
    expect(existsSync(folder)).toBe(false);
    const next = await world.open(envId);
    expect(await statusOf(next, world.sites, "bank")).toMatchObject({ loggedIn: true, user: "alice@bank" });
    expect(await statusOf(next, world.sites, "vault")).toMatchObject({ loggedIn: true, user: "alice@vault" });
    await next.close({ save: false });
  });

  it("a failed save whose capture cannot be kept either says the changes are lost", async () => {
    const envId = await world.createEnvironment("lost");
    const failing = withFailingSave(world.backend);
    // A file where the folder should go: the capture cannot be written.
    const blocked = path.join(world.root, "not-a-folder");
    await writeFile(blocked, "");
    const session = await world.open(envId, { backend: failing, unsavedDir: blocked });
    const error = await session.close().catch((caught: unknown) => caught);
    expect(isWebrunError(error, "SESSION_SAVE_FAILED"), String(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /store unreachable.*keeping the capture for a retry failed too.*lost/,
    );
    expect(await leftIn(world.tempDir)).toEqual([]);
  });

  it("SIGKILL of the session process mid-close leaves the head unchanged: no partial version", async () => {
    const envId = await world.createEnvironment("killed");
    const setup = await world.open(envId);
    await logIn(setup, world.sites, "bank");
    expect((await setup.close()).saved?.version).toBe(1);

    const tempDir = await mkdtemp(path.join(world.root, "killed-"));
    const child = spawn(
      process.execPath,
      [
        fileURLToPath(new URL("./support/session-process.mjs", import.meta.url)),
        world.root,
        userId,
        envId,
        tempDir,
        JSON.stringify(world.sites.chromiumArgs),
      ],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const lines = createInterface({ input: child.stdout as Readable })[Symbol.asyncIterator]();
    const nextLine = async () => String((await lines.next()).value);
    const ready = JSON.parse(await nextLine()) as { cdpUrl: string; pid: number; pageTargetId: string };
    try {
      await logIn(ready as unknown as Session, world.sites, "shop");
      child.stdin?.write("close\n");
      expect(await nextLine()).toBe("closing");
      child.kill("SIGKILL");
      await once(child, "exit");
    } finally {
      // The browser was the killed process's child: nobody is left to close it, and its
      // renderers and utility processes write into the profile until the whole group is gone.
      killProcessGroup(ready.pid);
      await processGroupGone(ready.pid);
    }
    expect((await world.environments.history(userId, envId)).map((v) => v.version)).toEqual([1]);
    const head = await world.environments.loadVersion(userId, envId);
    expect(head.state.cookies.map((cookie) => cookie.name)).toEqual(["bank_session"]);
  });
});

/** `backend` whose saves fail as a store outage would. */
function withFailingSave(backend: SessionBackend): SessionBackend {
  return {
    ...backend,
    saveState: async () => {
      throw new WebrunError({
        kind: "unavailable",
        code: "BLOB_STORE_UNAVAILABLE",
        message: "store unreachable",
      });
    },
  };
}
