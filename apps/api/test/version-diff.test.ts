import { randomBytes } from "node:crypto";
import { Keyring } from "@webrun/blob-store";
import { stateWithCookie } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createValueFingerprints } from "../src/value-fingerprints.js";
import { type InProcessApi, startInProcessApi } from "./in-process-api.js";

const apiKey = `diff-${randomBytes(16).toString("hex")}`;

/** Version 2 of the fixture: every kind of unit changed from version 1. */
function laterState(secret: string) {
  const state = stateWithCookie(secret);
  return {
    ...state,
    origins: [
      {
        origin: "https://app.example.test",
        localStorage: [{ name: "theme", value: "light" }],
        indexedDB: [
          {
            name: "db",
            version: 1,
            objectStores: [
              {
                name: "notes",
                keyPath: "id",
                autoIncrement: false,
                indexes: [],
                records: [{ key: 1, value: { id: 1 } }],
              },
            ],
          },
        ],
      },
    ],
    extensions: [
      {
        id: "abcdefghijklmnopabcdefghijklmnop",
        name: "Ext",
        version: "1.0",
        manifest: { manifest_version: 3 },
        files: [
          {
            path: "a.js",
            size: 1,
            sha256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
            contentBase64: "YQ==",
          },
        ],
        storage: { local: { token: "x" }, sync: {} },
      },
    ],
  };
}

describe("GET /environments/:id/versions/:from/diff/:to", () => {
  let api: InProcessApi;

  beforeAll(async () => {
    api = await startInProcessApi(apiKey);
  });
  afterAll(() => api?.close());

  async function call(method: string, url: string, body?: object) {
    const response = await fetch(`${api.baseUrl}${url}`, {
      method,
      headers: {
        authorization: `Bearer ${apiKey}`,
        ...(body ? { "content-type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : null,
    });
    return { status: response.status, text: await response.text() };
  }

  async function environmentWithTwoVersions(): Promise<string> {
    const created = JSON.parse((await call("POST", "/environments", { name: "diff" })).text);
    const id = created.environment._id as string;
    expect((await call("PUT", `/environments/${id}/state`, stateWithCookie("first-s3cr3t"))).status).toBe(
      200,
    );
    expect((await call("PUT", `/environments/${id}/state`, laterState("second-s3cr3t"))).status).toBe(200);
    return id;
  }

  it("names every changed unit, with fingerprints in place of values, also under /profiles", async () => {
    const id = await environmentWithTwoVersions();
    const answer = await call("GET", `/environments/${id}/versions/1/diff/2`);
    expect(answer.status).toBe(200);
    expect(answer.text).not.toMatch(/s3cr3t|light|dark/);
    const { diff } = JSON.parse(answer.text);
    expect(diff).toMatchObject({ environmentId: id, from: { version: 1 }, to: { version: 2 } });
    expect(diff.state.cookies.changed).toEqual([
      {
        name: "session",
        domain: ".example.test",
        path: "/",
        before: expect.stringMatching(/^[0-9a-f]{16}$/),
        after: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
    ]);
    expect(diff.state.storage).toMatchObject([{ area: "localStorage", changed: [{ name: "theme" }] }]);
    expect(diff.state.indexedDB).toMatchObject([
      { database: "db", stores: [{ name: "notes", recordsBefore: 0, recordsAfter: 1, added: 1 }] },
    ]);
    expect(diff.state.extensions).toMatchObject([
      {
        versionAfter: "1.0",
        files: { added: [{ path: "a.js" }] },
        storage: { added: [{ area: "local", key: "token" }] },
      },
    ]);
    expect(diff.profileFiles).toEqual({ added: [], removed: [], changed: [] });

    const alias = await call("GET", `/profiles/${id}/versions/1/diff/2`);
    expect(alias.status).toBe(200);
    expect(JSON.parse(alias.text)).toEqual(JSON.parse(answer.text));
  });

  it("answers 404 naming the kept range for a version that is not kept, and 400 for one that is no number", async () => {
    const id = await environmentWithTwoVersions();
    const missing = await call("GET", `/environments/${id}/versions/1/diff/9`);
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text)).toMatchObject({
      code: "VERSION_NOT_FOUND",
      message: "Version 9 is not kept; kept versions are 1–2",
    });
    expect((await call("GET", `/environments/${id}/versions/one/diff/2`)).status).toBe(400);
    expect((await call("GET", `/environments/${"0".repeat(24)}/versions/1/diff/2`)).status).toBe(404);
  });
});

describe("value fingerprints", () => {
  it("are stable for one user, differ between users and between master keys", () => {
    const keyring = () => new Keyring(new Map([["k1", randomBytes(32)]]), "k1");
    const one = createValueFingerprints(keyring());
    expect(one("alice")("v")).toBe(one("alice")("v"));
    expect(one("alice")("v")).not.toBe(one("alice")("w"));
    expect(one("alice")("v")).not.toBe(one("bob")("v"));
    expect(createValueFingerprints(keyring())("alice")("v")).not.toBe(one("alice")("v"));
  });
});
