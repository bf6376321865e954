import { createMemoryBlobStore, readAll } from "@webrun/blob-store";
import type { BrowserState, Cookie } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { createEnvironmentStore } from "../../src/index.js";
import { manualClock } from "./fixtures.js";

const user = "alice";
const saveTime = Date.parse("2026-12-05T12:00:00Z");
const day = 86_400_000;
const seconds = (iso: string) => Date.parse(iso) / 1000;

function cookie(name: string, domain: string, expires: string | "session"): Cookie {
  return {
    name,
    value: `${name}-s3cr3t`,
    domain,
    path: "/",
    expires: expires === "session" ? -1 : seconds(expires),
    session: expires === "session",
    httpOnly: true,
    secure: true,
  };
}

const state: BrowserState = {
  version: 1,
  cookies: [
    cookie("old", "mail.test", "2026-12-01T00:00:00Z"),
    cookie("sid", "mail.test", "2027-03-01T00:00:00Z"),
    cookie("sid", ".shop.test", "2026-12-09T12:00:00Z"),
    cookie("cart", "shop.test", "session"),
    cookie("sid", "bank.test", "2026-12-20T00:00:00Z"),
  ],
  origins: [],
  extensions: [],
};

async function saved() {
  const clock = manualClock(saveTime);
  const blobs = createMemoryBlobStore();
  const store = createEnvironmentStore({ store: blobs, clock });
  const env = await store.create(user, { name: "staleness" });
  const result = await store.saveVersion(user, env._id, { state });
  return { clock, blobs, store, env, result };
}

describe("staleness in the summary", () => {
  it("keeps each cookie domain's first and last expiry and session cookies, with counts relative to the save", async () => {
    const { result } = await saved();
    expect(result.summary.cookieExpiry).toEqual({
      at: "2026-12-05T12:00:00.000Z",
      domains: [
        {
          domain: "bank.test",
          sessionCookies: 0,
          persistentCookies: 1,
          earliestExpiry: "2026-12-20T00:00:00.000Z",
          latestExpiry: "2026-12-20T00:00:00.000Z",
        },
        {
          domain: "mail.test",
          sessionCookies: 0,
          persistentCookies: 2,
          earliestExpiry: "2026-12-01T00:00:00.000Z",
          latestExpiry: "2027-03-01T00:00:00.000Z",
        },
        {
          domain: "shop.test",
          sessionCookies: 1,
          persistentCookies: 1,
          earliestExpiry: "2026-12-09T12:00:00.000Z",
          latestExpiry: "2026-12-09T12:00:00.000Z",
        },
      ],
      expired: 1,
      expiresWithin7Days: 1,
    });
    expect(JSON.stringify(result.summary)).not.toContain("s3cr3t");
  });

  it("says where logins stand at each read, by the clock, from the stored expiries", async () => {
    const { clock, store, env } = await saved();
    expect((await store.get(user, env._id)).loginExpiry).toEqual({
      at: "2026-12-05T12:00:00.000Z",
      expired: ["mail.test"],
      expiresWithin7Days: ["shop.test"],
    });
    clock.advance(14 * day);
    const later = await store.get(user, env._id);
    expect(later.loginExpiry).toEqual({
      at: "2026-12-19T12:00:00.000Z",
      expired: ["mail.test", "shop.test"],
      expiresWithin7Days: ["bank.test"],
    });
    // The stored figures stay those of the save.
    expect(later.summary?.cookieExpiry).toMatchObject({ expired: 1, expiresWithin7Days: 1 });
    expect((await store.list(user))[0]?.loginExpiry?.expired).toEqual(["mail.test", "shop.test"]);
  });

  it("reads a record saved before expiries were kept", async () => {
    const { blobs, store, env } = await saved();
    const key = `users/${user}/environments/${env._id}/record.json`;
    const record = JSON.parse((await readAll((await blobs.get(key)).body)).toString("utf8"));
    delete record.summary.cookieExpiry;
    const body = Buffer.from(JSON.stringify(record));
    await blobs.put(key, body, { contentLength: body.length, contentType: "application/json" });
    const read = await store.get(user, env._id);
    expect(read.summary?.cookies).toBe(5);
    expect(read.summary?.cookieExpiry).toBeUndefined();
    expect(read.loginExpiry).toBeUndefined();
  });
});
