import { randomBytes } from "node:crypto";
import { stateWithCookie } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, startApi } from "../support/api-process.js";
import { client } from "./support/clients.js";
import { createTestStorage, type StorageMode, storageModes, type TestStorage } from "./support/storage.js";

const ROUNDS = 8;

describe.each(storageModes)("two API processes on one %s store", (mode: StorageMode) => {
  const key = `key-dana-${randomBytes(12).toString("hex")}`;
  let storage: TestStorage;
  let servers: ApiProcess[] = [];

  beforeAll(async () => {
    storage = await createTestStorage(mode);
    const env = { ...storage.env, API_KEYS: `${key}:dana` };
    servers = await Promise.all([startApi(env), startApi(env)]);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await storage?.cleanup();
  });

  it("with If-Match, exactly one writer wins per base and every winner's state is kept", async () => {
    const [a, b] = servers.map((server) => client(server.url, key)) as [
      ReturnType<typeof client>,
      ReturnType<typeof client>,
    ];
    const created = await a.post<{ environment: { _id: string } }>("/environments", { name: "shared" });
    const id = created.body.environment._id;
    // Created through one process, visible through the other at once.
    expect((await b.get(`/environments/${id}`)).status).toBe(200);

    const winners: string[] = [];
    let base: number | null = null;
    for (let round = 0; round < ROUNDS; round++) {
      const values = [
        `a-${round}-${randomBytes(4).toString("hex")}`,
        `b-${round}-${randomBytes(4).toString("hex")}`,
      ];
      const precondition: Record<string, string> =
        base === null ? { "if-none-match": "*" } : { "if-match": `"${base}"` };
      const answers = await Promise.all(
        [a, b].map((api, index) =>
          api.put<{ version: number; details?: { currentVersion: number } }>(
            `/environments/${id}/state`,
            stateWithCookie(values[index] as string),
            precondition,
          ),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([200, 412]);
      const winner = answers.findIndex((answer) => answer.status === 200);
      const loser = answers[1 - winner];
      const version = answers[winner]?.body.version as number;
      expect(version).toBe((base ?? 0) + 1);
      expect(loser?.body.details?.currentVersion).toBe(version);
      winners.push(values[winner] as string);
      base = version;
    }

    // Nothing lost: every winner's cookie is the state of its version, read through either process.
    for (const [index, value] of winners.entries()) {
      const reader = index % 2 === 0 ? a : b;
      const state = await reader.get<{ cookies: { value: string }[] }>(
        `/environments/${id}/state?version=${index + 1}`,
      );
      expect(state.status).toBe(200);
      expect(state.body.cookies[0]?.value).toBe(value);
    }
    const versions = await b.get<{ versions: { version: number }[] }>(`/environments/${id}/versions`);
    expect(versions.body.versions.map((v) => v.version)).toEqual(
      Array.from({ length: ROUNDS }, (_, i) => ROUNDS - i),
    );
  });

  it("racing creates through both processes stop at the per-user limit", async () => {
    const [a, b] = servers.map((server) => client(server.url, key)) as [
      ReturnType<typeof client>,
      ReturnType<typeof client>,
    ];
    const existing = (await a.get<{ environments: unknown[] }>("/environments")).body.environments.length;
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        (i % 2 === 0 ? a : b).post("/environments", { name: `race ${i}` }),
      ),
    );
    const created = answers.filter((answer) => answer.status === 201).length;
    expect(created).toBe(20 - existing);
    for (const answer of answers.filter((answer) => answer.status !== 201)) {
      expect(answer).toMatchObject({ status: 400, body: { message: "Maximum of 20 environments allowed" } });
    }
    expect((await b.get<{ environments: unknown[] }>("/environments")).body.environments).toHaveLength(20);
  });
});
