import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { readAll } from "@webrun/blob-store";
import { packEnvironmentArchive } from "@webrun/env-store";
import { stateWithCookie } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessApi, startInProcessApi } from "./in-process-api.js";

const apiKey = `merge-${randomBytes(16).toString("hex")}`;
type State = ReturnType<typeof stateWithCookie>;

/** The fixture state with one more cookie, named after the session that set it. */
function withLogin(state: State, site: string): State {
  const login = stateWithCookie(`${site}-secret`, `${site}.test`).cookies.map((cookie) => ({
    ...cookie,
    name: `sid-${site}`,
  }));
  return { ...state, cookies: [...state.cookies, ...login] };
}

/** The state as an environment archive (`.tar.gz`), as `env push` sends one; with `profileFiles` (path → text) too. */
function archiveOf(state: State, profileFiles: Record<string, string> = {}): Promise<Buffer> {
  return readAll(
    packEnvironmentArchive({
      // The fixture is a plain object literal: its `version` reads as number, not the literal 1 the type wants.
      state: state as Parameters<typeof packEnvironmentArchive>[0]["state"],
      profileFiles: Object.entries(profileFiles).map(([path, text]) => ({
        path,
        size: Buffer.byteLength(text),
        sha256: createHash("sha256").update(text).digest("hex"),
        open: () => Readable.from([Buffer.from(text)]),
      })),
    }),
  );
}

describe("PUT /environments/:id/state?base=<version>: merged saves", () => {
  let api: InProcessApi;
  let baseUrl: string;

  beforeAll(async () => {
    api = await startInProcessApi(apiKey);
    baseUrl = api.baseUrl;
  });

  afterAll(() => api?.close());

  async function request(
    method: string,
    url: string,
    init: { body?: string | Buffer; headers?: Record<string, string> } = {},
  ) {
    const response = await fetch(`${baseUrl}${url}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, ...init.headers },
      body: init.body ?? null,
    });
    return {
      status: response.status,
      etag: response.headers.get("etag") ?? undefined,
      json: (await response.json()) as Record<string, unknown>,
    };
  }

  function put(url: string, body: object | Buffer, headers: Record<string, string> = {}) {
    const archive = Buffer.isBuffer(body);
    return request("PUT", url, {
      body: archive ? body : JSON.stringify(body),
      headers: { "content-type": archive ? "application/gzip" : "application/json", ...headers },
    });
  }

  async function headCookies(prefix: string, id: string): Promise<string[]> {
    const { json } = await request("GET", `${prefix}/${id}/state`);
    return (json as unknown as State).cookies.map((cookie) => cookie.name).sort();
  }

  /** An environment whose version 1 is the fixture state. */
  async function environmentAtVersionOne(prefix = "/environments"): Promise<{ id: string; v1: State }> {
    const one = prefix === "/environments" ? "environment" : "profile";
    const created = await request("POST", prefix, {
      body: JSON.stringify({ name: `merge ${randomBytes(4).toString("hex")}` }),
      headers: { "content-type": "application/json" },
    });
    const id = (created.json[one] as { _id: string })._id;
    const v1 = stateWithCookie("v1-secret");
    expect((await put(`${prefix}/${id}/state`, v1)).status).toBe(200);
    return { id, v1 };
  }

  it("merges JSON and archive saves from one base into the head, answering the receipt and the head's ETag", async () => {
    const { id, v1 } = await environmentAtVersionOne();
    const first = await put(`/environments/${id}/state?base=1`, withLogin(v1, "a"));
    expect(first.status).toBe(200);
    expect(first.etag).toBe('"2"');
    expect(first.json.saved).toMatchObject({ version: 2, baseVersion: 1, merged: false, mergedWith: [] });

    const second = await put(`/environments/${id}/state?base=1`, withLogin(v1, "b"));
    expect(second.etag).toBe('"3"');
    expect(second.json.saved).toEqual({
      version: 3,
      baseVersion: 1,
      merged: true,
      mergedWith: [2],
      conflicts: 0,
      changes: {
        cookies: { added: 1, changed: 0, removed: 0 },
        origins: { added: 0, changed: 0, removed: 0 },
        extensions: { added: 0, changed: 0, removed: 0 },
      },
      dropped: { expiredCookies: 0, indexedDbRecordsWithoutStore: 0, extensionStorageWithoutExtension: 0 },
      snapshot: null,
    });
    expect(second.json.environment).toMatchObject({ _id: id });

    const archive = await archiveOf(withLogin(v1, "c"));
    const third = await put(`/environments/${id}/state?base=1`, archive);
    expect(third.status).toBe(200);
    expect(third.etag).toBe('"4"');
    expect(third.json.saved).toMatchObject({ version: 4, merged: true, mergedWith: [2, 3] });
    expect(await headCookies("/environments", id)).toEqual(["session", "sid-a", "sid-b", "sid-c"]);
  });

  it("merges from base=none into an environment saved since, and on the /profiles alias too", async () => {
    const { id, v1 } = await environmentAtVersionOne("/profiles");
    const saved = await put(`/profiles/${id}/state?base=none`, withLogin({ ...v1, cookies: [] }, "late"));
    expect(saved.status).toBe(200);
    expect(saved.json.saved).toMatchObject({ version: 2, baseVersion: null, merged: true, mergedWith: [1] });
    expect(saved.json.profile).toMatchObject({ _id: id });
    expect(await headCookies("/profiles", id)).toEqual(["session", "sid-late"]);
  });

  it("refuses a base older than the kept versions with 409 naming the oldest kept, changing nothing", async () => {
    const { id, v1 } = await environmentAtVersionOne();
    const keep = api.services.environments.limits.keepVersions;
    for (let i = 0; i < keep; i++) await put(`/environments/${id}/state`, withLogin(v1, `s${i}`));
    const refused = await put(`/environments/${id}/state?base=1`, withLogin(v1, "late"));
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: "MERGE_BASE_NOT_KEPT", details: { oldestKept: 2 } });
    expect(String(refused.json.message)).toContain("the oldest kept version is 2");
    const archive = await archiveOf(withLogin(v1, "late"));
    expect((await put(`/environments/${id}/state?base=1`, archive)).status).toBe(409);
    const unknown = await put(`/environments/${id}/state?base=99`, withLogin(v1, "late"));
    expect(unknown.status).toBe(409);
    expect(await headCookies("/environments", id)).not.toContain("sid-late");
  });

  it("refuses ?base with If-Match, and a base that is not a version, with 400", async () => {
    const { id, v1 } = await environmentAtVersionOne();
    const both = await put(`/environments/${id}/state?base=1`, v1, { "if-match": '"1"' });
    expect(both.status).toBe(400);
    expect(both.json.code).toBe("MERGE_BASE_WITH_PRECONDITION");
    expect(String(both.json.message)).toMatch(/\?base.*If-Match/);
    expect((await put(`/environments/${id}/state?base=latest`, v1)).status).toBe(400);
  });

  it("carries a storage snapshot in a merged archive, drops it with ?snapshot=drop, refuses other profile files", async () => {
    const { id, v1 } = await environmentAtVersionOne();
    const snapshot = { "webrun-snapshot/webrun-snapshot.json": "{}" };
    const first = await put(
      `/environments/${id}/state?base=1`,
      await archiveOf(withLogin(v1, "a"), snapshot),
    );
    expect(first.status).toBe(200);
    expect(first.json.saved).toMatchObject({
      version: 2,
      snapshot: { outcome: "replaced", reason: "this session's storage snapshot is the environment's first" },
    });
    const kept = await put(`/environments/${id}/state?base=2`, withLogin(v1, "b"));
    expect(kept.json.saved).toMatchObject({ snapshot: { outcome: "kept" } });

    const raw = await archiveOf(withLogin(v1, "c"), { ...snapshot, "Default/Cookies": "raw" });
    const refused = await put(`/environments/${id}/state?base=3`, raw);
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe("MERGE_PROFILE_FILES");
    const loose = await put(`/environments/${id}/state?snapshot=drop`, withLogin(v1, "c"));
    expect(loose.status).toBe(400);
    expect(loose.json.code).toBe("SNAPSHOT_WITHOUT_BASE");

    const dropped = await put(`/environments/${id}/state?base=3&snapshot=drop`, withLogin(v1, "d"));
    expect(dropped.status).toBe(200);
    expect(dropped.json.saved).toMatchObject({ version: 4, snapshot: { outcome: "dropped" } });
    expect((await api.services.environments.loadVersion("alice", id)).profileFiles).toEqual([]);
  });

  it("keeps If-Match strict (412 on a moved head) and a save without a base a replace", async () => {
    const { id, v1 } = await environmentAtVersionOne();
    await put(`/environments/${id}/state`, withLogin(v1, "a"));
    const stale = await put(`/environments/${id}/state`, withLogin(v1, "b"), { "if-match": '"1"' });
    expect(stale.status).toBe(412);
    expect(stale.json).toMatchObject({ code: "VERSION_CONFLICT", details: { currentVersion: 2 } });
    const replaced = await put(`/environments/${id}/state`, withLogin(v1, "c"));
    expect(replaced.json).toMatchObject({ version: 3 });
    expect(replaced.json.saved).toBeUndefined();
    expect(await headCookies("/environments", id)).toEqual(["session", "sid-c"]);
  });
});
