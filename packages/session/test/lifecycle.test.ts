import { execFileSync } from "node:child_process";
import { createReadStream } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import path from "node:path";
import { launchChromium } from "@webrun/browser-state";
import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import type { Session, SessionBackend } from "../src/index.js";
import { evaluateAt, leftIn, logIn, statusOf, userId, useSessionWorld } from "./support/session-world.js";

describe("session lifecycle against an in-process store (real Chromium, HTTPS test sites)", () => {
  const world = useSessionWorld();

  it("two sessions from one version close concurrently: the head has both logins and the later change of the shared site", async () => {
    const { sites } = world;
    const notes = `${sites.origins.notes}/account`;
    const envId = await world.createEnvironment("work");

    // Session 0 starts from an environment with no version and signs in to notes.
    const first = await world.open(envId);
    expect(first.baseVersion).toBeNull();
    await logIn(first, sites, "notes");
    await evaluateAt(first, notes, `localStorage.setItem("theme", "plain"), true`);
    const firstReceipt = await first.close();
    expect(firstReceipt.saved).toMatchObject({
      version: 1,
      baseVersion: null,
      merged: false,
      mergedWith: [],
    });
    expect(firstReceipt.saved?.changes.origins.added).toBeGreaterThanOrEqual(1);

    // Sessions A and B both start from version 1. B starts closing once A has captured, and A's
    // save waits for B's capture: B's change of the shared key is the later one, and the two
    // saves race for the head.
    const signal = () => {
      let fire: () => void = () => undefined;
      const fired = new Promise<void>((resolve) => {
        fire = resolve;
      });
      return { fire, fired };
    };
    const aCaptured = signal();
    const bCaptured = signal();
    const saveAfter = (captured: () => void, gate?: Promise<void>): SessionBackend => ({
      ...world.backend,
      saveState: async (id, capture) => {
        captured();
        await gate;
        return world.backend.saveState(id, capture);
      },
    });
    const [a, b] = await Promise.all([
      world.open(envId, { backend: saveAfter(aCaptured.fire, bCaptured.fired) }),
      world.open(envId, { backend: saveAfter(bCaptured.fire) }),
    ]);
    expect([a.baseVersion, b.baseVersion]).toEqual([1, 1]);
    expect(a.seeded.origins).toBeGreaterThanOrEqual(1);
    expect((await statusOf(a, sites, "notes")).loggedIn).toBe(true);
    await logIn(a, sites, "bank");
    await logIn(b, sites, "shop");
    await evaluateAt(a, notes, `localStorage.setItem("theme", "from A"), true`);
    await evaluateAt(b, notes, `localStorage.setItem("theme", "from B"), true`);

    const receipts = await Promise.all([a.close(), aCaptured.fired.then(() => b.close())]);
    const [ra, rb] = receipts;
    const versions = [ra.saved?.version, rb.saved?.version].sort();
    expect(versions).toEqual([2, 3]);
    const [firstSaved, secondSaved] = ra.saved?.version === 2 ? [ra, rb] : [rb, ra];
    expect(firstSaved.saved).toMatchObject({ baseVersion: 1, merged: false, mergedWith: [], conflicts: 0 });
    expect(secondSaved.saved).toMatchObject({ baseVersion: 1, merged: true, mergedWith: [2], conflicts: 1 });
    expect(ra.saved?.changes.cookies.added).toBeGreaterThanOrEqual(1);
    expect(ra.saved?.changes.origins.changed).toBeGreaterThanOrEqual(1);

    // Session C from the head: signed in everywhere, with B's later change.
    const c = await world.open(envId);
    expect(c.baseVersion).toBe(3);
    expect(await statusOf(c, sites, "bank")).toMatchObject({ loggedIn: true, user: "alice@bank" });
    expect(await statusOf(c, sites, "shop")).toMatchObject({ loggedIn: true, user: "alice@shop" });
    expect(await statusOf(c, sites, "notes")).toMatchObject({ loggedIn: true, user: "alice@notes" });
    expect(await evaluateAt(c, notes, `localStorage.getItem("theme")`)).toBe("from B");

    // save:false leaves the head where it was, and nothing of the session on disk.
    await evaluateAt(c, notes, `localStorage.setItem("theme", "discarded"), true`);
    const discarded = await c.close({ save: false });
    expect(discarded).toMatchObject({ saved: null, notSaved: { code: "DISCARDED" }, files: [] });
    expect((await world.environments.get(userId, envId)).version).toBe(3);
    expect(await leftIn(world.tempDir)).toEqual([]);
  });

  it("a domain filter seeds only some logins, says what it left out, and the save keeps what the session never saw", async () => {
    const { sites } = world;
    const envId = await world.createEnvironment("filtered");
    const setup = await world.open(envId);
    for (const site of ["bank", "shop", "notes"] as const) await logIn(setup, sites, site);
    expect((await setup.close()).saved?.version).toBe(1);

    const uses = (await world.environments.get(userId, envId)).usageCount;
    const invalid = await world
      .open(envId, { onlyDomains: ["not a domain"] })
      .catch((error: unknown) => error);
    expect(isWebrunError(invalid, "DOMAIN_INVALID")).toBe(true);
    // Refused before the environment was even read (opening counts as a use).
    expect((await world.environments.get(userId, envId)).usageCount).toBe(uses);
    expect(await leftIn(world.tempDir)).toEqual([]);

    const session = await world.open(envId, { onlyDomains: ["bank.test", "nowhere.test"] });
    expect(session.seeded.cookies).toBe(1);
    expect(session.seeded.notSeeded.byDomainFilter).toEqual({ cookies: 1, origins: 1, passkeys: 0 });
    expect(session.seeded.notSeeded.unmatchedDomains).toEqual(["nowhere.test"]);
    expect((await statusOf(session, sites, "bank")).loggedIn).toBe(true);
    expect((await statusOf(session, sites, "shop")).loggedIn).toBe(false);
    const receipt = await session.close();
    expect(receipt.saved?.version).toBe(2);
    expect(receipt.saved?.changes.cookies.removed).toBe(0);
    expect(receipt.saved?.changes.origins.removed).toBe(0);

    const next = await world.open(envId);
    expect((await statusOf(next, sites, "shop")).loggedIn).toBe(true);
    expect((await statusOf(next, sites, "notes")).loggedIn).toBe(true);
    await next.close({ save: false });
  });

  it("an uploaded Chrome profile seeds the session (its cookie database is the browser's) and is kept by the save", async () => {
    const { sites } = world;
    const profileDir = await mkdtemp(path.join(world.root, "uploaded-profile-"));
    const plain = await launchChromium({ userDataDir: profileDir, args: sites.chromiumArgs });
    try {
      await logIn({ cdpUrl: plain.cdpUrl } as Session, sites, "bank");
    } finally {
      await plain.close();
    }
    const archive = path.join(world.root, "profile.tar.gz");
    execFileSync("tar", ["-czf", archive, "-C", profileDir, "."]);
    const envId = await world.createEnvironment("uploaded");
    await world.environments.importProfileArchive(userId, envId, createReadStream(archive), {
      baseVersion: null,
    });
    const uploaded = await world.environments.loadVersion(userId, envId);
    expect(uploaded.state.cookies).toEqual([]);
    expect(uploaded.profileFiles.map((file) => file.path)).toContain("Default/Cookies");

    const session = await world.open(envId);
    expect(await statusOf(session, sites, "bank")).toMatchObject({ loggedIn: true, user: "alice@bank" });
    const receipt = await session.close();
    expect(receipt.saved).toMatchObject({ version: 2, baseVersion: 1, merged: false });
    const saved = await world.environments.loadVersion(userId, envId);
    expect(saved.state.cookies.map((cookie) => cookie.name)).toContain("bank_session");
    expect(saved.profileFiles).toEqual(uploaded.profileFiles);
    expect(await leftIn(world.tempDir)).toEqual([]);
  });
});
