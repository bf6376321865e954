import { randomBytes } from "node:crypto";
import { stateWithCookie } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, startApi } from "../support/api-process.js";
import { client } from "./support/clients.js";
import { createTestStorage, type TestStorage } from "./support/storage.js";

const SESSIONS = 8;
const ROUNDS = 3;

type State = ReturnType<typeof stateWithCookie>;
interface MergedAnswer {
  saved: { version: number; baseVersion: number | null; merged: boolean; mergedWith: number[] };
}

/** A gate every racer waits at, opened once all of them are ready: their requests leave together. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    arrived += 1;
    if (arrived === parties) open();
    return opened;
  };
}

describe("merged saves racing through two API processes on one S3 bucket", () => {
  const key = `key-erin-${randomBytes(12).toString("hex")}`;
  let storage: TestStorage;
  let servers: ApiProcess[] = [];

  beforeAll(async () => {
    storage = await createTestStorage("s3");
    const env = { ...storage.env, API_KEYS: `${key}:erin` };
    servers = await Promise.all([startApi(env), startApi(env)]);
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await storage?.cleanup();
  });

  it("keeps every session's cookie in the head, round after round, whichever process saved it", async () => {
    const [a, b] = servers.map((server) => client(server.url, key)) as [
      ReturnType<typeof client>,
      ReturnType<typeof client>,
    ];
    const created = await a.post<{ environment: { _id: string } }>("/environments", { name: "racing" });
    const id = created.body.environment._id;
    const first = await a.put<{ version: number }>(`/environments/${id}/state`, stateWithCookie("start"));
    let base = first.body.version;
    const cookies = ["session"];

    for (let round = 0; round < ROUNDS; round++) {
      const head = (await a.get<State>(`/environments/${id}/state`)).body;
      const themes = Array.from({ length: SESSIONS }, (_, i) => `theme-${round}-${i}`);
      const arrive = barrier(SESSIONS);
      // Each session started from `base`: it adds its own login and changes the one shared key.
      const answers = await Promise.all(
        themes.map(async (theme, i) => {
          const name = `sid-${round}-${i}`;
          const login = stateWithCookie(`${name}-${randomBytes(4).toString("hex")}`).cookies.map(
            (cookie) => ({
              ...cookie,
              name,
            }),
          );
          const ours: State = {
            ...head,
            cookies: [...head.cookies, ...login],
            origins: [
              { origin: "https://app.example.test", localStorage: [{ name: "theme", value: theme }] },
            ],
          };
          const body = JSON.stringify(ours);
          await arrive();
          return (i % 2 === 0 ? a : b).raw(`/environments/${id}/state?base=${base}`, {
            method: "PUT",
            headers: { "content-type": "application/json" },
            body,
          });
        }),
      );
      const receipts: MergedAnswer["saved"][] = [];
      for (const answer of answers) {
        expect(answer.status).toBe(200);
        const { saved } = (await answer.json()) as MergedAnswer;
        expect(answer.headers.get("etag")).toBe(`"${saved.version}"`);
        receipts.push(saved);
      }
      cookies.push(...themes.map((_, i) => `sid-${round}-${i}`));
      receipts.sort((x, y) => x.version - y.version);
      expect(receipts.map((saved) => saved.version)).toEqual(themes.map((_, i) => base + 1 + i));
      expect(receipts.map((saved) => saved.merged)).toEqual(themes.map((_, i) => i > 0));
      for (const saved of receipts) expect(saved.baseVersion).toBe(base);

      // Read through the other process: nothing lost, and the shared key holds one session's value.
      const merged = (await b.get<State>(`/environments/${id}/state`)).body;
      expect(merged.cookies.map((cookie) => cookie.name).sort()).toEqual([...cookies].sort());
      const theme = merged.origins[0]?.localStorage.find((item) => item.name === "theme")?.value;
      expect(themes).toContain(theme);
      base += SESSIONS;
    }
  });
});
