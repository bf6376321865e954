import { createMemoryBlobStore } from "@webrun/blob-store";
import { isWebrunError } from "@webrun/errors";
import { describe, expect, it } from "vitest";
import { createEnvironmentStore, environmentExists } from "../../src/index.js";
import { errorOf, manualClock } from "./fixtures.js";

const alice = "alice";
const bob = "bob";

function setup(limits = {}) {
  const clock = manualClock();
  const blobs = createMemoryBlobStore();
  const store = createEnvironmentStore({ store: blobs, clock, limits });
  return { clock, blobs, store };
}

describe("environments", () => {
  it("creates an environment with the contract's fields", async () => {
    const { store } = setup();
    const env = await store.create(alice, { name: "  Work  ", description: "logins" });
    expect(env).toMatchObject({
      userId: alice,
      name: "Work",
      description: "logins",
      status: "empty",
      blobSize: null,
      blobUploadedAt: null,
      lastUsedAt: null,
      usageCount: 0,
      version: null,
    });
    expect(env._id).toMatch(/^[0-9a-f]{24}$/);
    expect(new Date(env.createdAt).toISOString()).toBe(env.createdAt);
    expect(env.updatedAt).toBe(env.createdAt);
    expect(await store.get(alice, env._id)).toEqual(env);
  });

  it("answers bad input with the contract's messages", async () => {
    const { store } = setup();
    for (const input of [{}, { name: "" }, { name: "   " }, { name: 42 }, undefined]) {
      const error = await errorOf(store.create(alice, input as never));
      expect(isWebrunError(error, "ENVIRONMENT_NAME_REQUIRED"), JSON.stringify(input)).toBe(true);
      expect((error as Error).message).toBe("Environment name is required");
    }
    expect(await errorOf(store.create(alice, { name: "x".repeat(101) }))).toMatchObject({
      kind: "invalid_input",
    });
    expect(await errorOf(store.create(alice, { name: "ok", description: "d".repeat(501) }))).toMatchObject({
      kind: "invalid_input",
    });
    await expect(
      store.create(alice, { name: "x".repeat(100), description: "d".repeat(500) }),
    ).resolves.toBeDefined();
  });

  it("lists newest first, per user", async () => {
    const { store, clock } = setup();
    const names = ["one", "two", "three"];
    for (const name of names) {
      await store.create(alice, { name });
      clock.advance(1000);
    }
    await store.create(bob, { name: "bob's" });
    expect((await store.list(alice)).map((e) => e.name)).toEqual(["three", "two", "one"]);
    expect((await store.list(bob)).map((e) => e.name)).toEqual(["bob's"]);
    expect(await store.list("carol")).toEqual([]);
  });

  it("hides another user's environment exactly like a missing one", async () => {
    const { store } = setup();
    const env = await store.create(alice, { name: "mine" });
    for (const attempt of [
      store.get(bob, env._id),
      store.get(alice, "0123456789abcdef01234567"),
      store.get(alice, "../../etc"),
      store.update(bob, env._id, { name: "stolen" }),
      store.delete(bob, env._id),
      store.markUsed(bob, env._id),
      store.history(bob, env._id),
    ]) {
      const error = await errorOf(attempt);
      expect(isWebrunError(error, "ENVIRONMENT_NOT_FOUND")).toBe(true);
      expect((error as Error).message).toBe("Environment not found");
    }
    expect((await store.get(alice, env._id)).name).toBe("mine");
  });

  it("updates name and description, and records use", async () => {
    const { store, clock } = setup();
    const env = await store.create(alice, { name: "a" });
    clock.advance(5000);
    const updated = await store.update(alice, env._id, { description: "now described" });
    expect(updated).toMatchObject({ name: "a", description: "now described" });
    expect(updated.updatedAt > env.updatedAt).toBe(true);
    await Promise.all(Array.from({ length: 10 }, () => store.markUsed(alice, env._id)));
    const used = await store.get(alice, env._id);
    expect(used.usageCount).toBe(10);
    expect(used.lastUsedAt).toBe(clock.now().toISOString());
  });

  it("deletes an environment and everything stored under it", async () => {
    const { store, blobs } = setup();
    const env = await store.create(alice, { name: "doomed" });
    const keep = await store.create(alice, { name: "kept" });
    await store.saveVersion(alice, env._id, {
      state: { version: 1, cookies: [], origins: [], extensions: [] },
    });
    await store.delete(alice, env._id);
    expect(isWebrunError(await errorOf(store.get(alice, env._id)), "ENVIRONMENT_NOT_FOUND")).toBe(true);
    expect(isWebrunError(await errorOf(store.delete(alice, env._id)), "ENVIRONMENT_NOT_FOUND")).toBe(true);
    expect((await store.list(alice)).map((e) => e._id)).toEqual([keep._id]);
    const left: string[] = [];
    for await (const info of blobs.list(`users/${alice}/environments/${env._id}/`)) left.push(info.key);
    expect(left).toEqual([]);
  });

  it("enforces the per-user limit with the contract's message", async () => {
    const { store } = setup();
    for (let i = 0; i < 20; i += 1) await store.create(alice, { name: `e${i}` });
    const error = await errorOf(store.create(alice, { name: "one too many" }));
    expect((error as Error).message).toBe("Maximum of 20 environments allowed");
    expect(error).toMatchObject({ kind: "limit_exceeded" });
    await expect(store.create(bob, { name: "bob is fine" })).resolves.toBeDefined();
    const small = setup({ maxEnvironmentsPerUser: 3 }).store;
    for (let i = 0; i < 3; i += 1) await small.create(alice, { name: `e${i}` });
    expect(((await errorOf(small.create(alice, { name: "x" }))) as Error).message).toBe(
      "Maximum of 3 environments allowed",
    );
  });

  it("admits exactly the limit when creates race, and leaves no stray records", async () => {
    const { store, blobs } = setup();
    await store.create(alice, { name: "existing" });
    const results = await Promise.allSettled(
      Array.from({ length: 35 }, (_, i) => store.create(alice, { name: `racer ${i}` })),
    );
    const won = results.filter((r) => r.status === "fulfilled");
    const lost = results.filter((r) => r.status === "rejected");
    expect(won).toHaveLength(19);
    expect(lost).toHaveLength(16);
    for (const r of lost)
      expect(((r as PromiseRejectedResult).reason as Error).message).toBe(
        "Maximum of 20 environments allowed",
      );
    expect(await store.list(alice)).toHaveLength(20);
    let records = 0;
    for await (const info of blobs.list(`users/${alice}/environments/`))
      if (info.key.endsWith("/record.json")) records++;
    expect(records).toBe(20);
  });
});

describe("environmentExists", () => {
  it("is true for the owner's environment, false for another user's, a deleted, unknown or malformed id", async () => {
    const { store } = setup();
    const env = await store.create(alice, { name: "work" });
    const gone = await store.create(alice, { name: "gone" });
    await store.delete(alice, gone._id);
    expect(await environmentExists(store, alice, env._id)).toBe(true);
    expect(await environmentExists(store, bob, env._id)).toBe(false);
    expect(await environmentExists(store, alice, gone._id)).toBe(false);
    expect(await environmentExists(store, alice, "683a1f2e4b0c1d2e3f4a5b6c")).toBe(false);
    expect(await environmentExists(store, alice, "../x")).toBe(false);
  });

  it("throws what is not an answer (storage down) instead of saying no", async () => {
    const down = { get: async () => Promise.reject(new Error("storage down")) };
    await expect(environmentExists(down, alice, "683a1f2e4b0c1d2e3f4a5b6c")).rejects.toThrow("storage down");
  });
});
