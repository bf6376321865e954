import { BrowserDriver, type PasskeySite, startPasskeySite } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Session } from "../src/index.js";
import { evaluateAt, useSessionWorld } from "./support/session-world.js";

/** Runs `expression` on the passkey site in the session's first tab. */
async function onPasskeySite(session: Session, site: PasskeySite, expression: string): Promise<unknown> {
  const driver = await BrowserDriver.connect(session.cdpUrl, session.pageTargetId);
  try {
    await driver.goto(`${site.origin}/`);
    return await driver.evaluate(expression);
  } finally {
    await driver.close();
  }
}

describe("what a session's close captured, in its receipt", () => {
  const world = useSessionWorld();
  let passkeys: PasskeySite;

  beforeAll(async () => {
    passkeys = await startPasskeySite();
  });
  afterAll(() => passkeys?.stop());

  it("counts what was captured; a value JSON cannot carry travels in the storage snapshot, not dropped", async () => {
    const envId = await world.createEnvironment("report");
    const session = await world.open(envId);
    const notes = `${world.sites.origins.notes}/account`;
    await evaluateAt(session, notes, `localStorage.setItem("theme", "plain"), true`);
    // A Blob in IndexedDB: typed JSON cannot carry it; the close's storage snapshot does.
    await evaluateAt(
      session,
      notes,
      `new Promise((ok, fail) => { const open = indexedDB.open("files", 1);
  open.onupgradeneeded = () => open.result.createObjectStore("blobs");
  open.onsuccess = () => { const tx = open.result.transaction("blobs", "readwrite");
    tx.objectStore("blobs").put(new Blob(["draft"]), "draft"); tx.oncomplete = () => ok(true); tx.onerror = () => fail(tx.error); };
  open.onerror = () => fail(open.error); })`,
    );
    const receipt = await session.close();
    expect(receipt.saved?.version).toBe(1);
    expect(receipt.saved?.snapshot?.outcome).toBe("replaced");
    expect(receipt.captured).toMatchObject({
      complete: true,
      cookies: { dropped: [] },
      passkeys: { kept: 0, of: 0 },
      warnings: [],
    });
    expect(receipt.captured?.origins.of).toBeGreaterThanOrEqual(1);
    expect(receipt.captured?.origins.dropped).toEqual([]);

    const next = await world.open(envId);
    const blob = await evaluateAt(
      next,
      notes,
      `new Promise((ok, fail) => { const open = indexedDB.open("files");
  open.onsuccess = () => { const get = open.result.transaction("blobs").objectStore("blobs").get("draft");
    get.onsuccess = () => get.result.text().then(ok, fail); get.onerror = () => fail(get.error); };
  open.onerror = () => fail(open.error); })`,
    );
    expect(blob).toBe("draft");
    const discarded = await next.close({ save: false });
    expect(discarded.captured).toBeNull();
  });

  it("a passkey created in a session is saved with it, and logs in from the next session", async () => {
    const envId = await world.createEnvironment("passkeys");
    // The sites' flags already map every *.test host, passkeys.test included.
    const first = await world.open(envId, { virtualAuthenticator: true });
    expect(await onPasskeySite(first, passkeys, `register("alice")`)).toEqual({ ok: true, user: "alice" });
    const receipt = await first.close();
    expect(receipt.captured?.passkeys).toEqual({ kept: 1, of: 1, dropped: [] });
    expect(receipt.saved?.version).toBe(1);

    // A session told not to have an authenticator is not given them, and its save keeps them.
    const without = await world.open(envId, { virtualAuthenticator: false });
    expect(without.seeded.passkeys).toBe(0);
    expect(without.seeded.notSeeded.passkeysWithoutAuthenticator).toBe(1);
    expect((await without.close()).saved?.version).toBe(2);

    // The environment has passkeys: the next session gets an authenticator without asking.
    const next = await world.open(envId);
    expect(next.seeded.passkeys).toBe(1);
    expect(await onPasskeySite(next, passkeys, "logIn()")).toEqual({ ok: true, user: "alice" });
    const nextReceipt = await next.close();
    expect(nextReceipt.captured?.passkeys).toMatchObject({ kept: 1, of: 1 });
  });
});
