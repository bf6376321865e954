import { randomBytes } from "node:crypto";
import { connectCdp } from "@webrun/browser-state";
import { openSession, type Session, type SessionReceipt } from "@webrun/session";
import { apiBackend } from "@webrun/session/api";
import { stateWithCookie } from "@webrun/test-fixtures";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiProcess, startApi } from "../support/api-process.js";
import { client } from "./support/clients.js";
import { createTestStorage, type TestStorage } from "./support/storage.js";

const SESSIONS = 8;

/** A login made in a session's browser: a cookie of a site only that session visited. */
async function logIn(session: Session, index: number): Promise<void> {
  const connection = await connectCdp(session.cdpUrl);
  try {
    await connection.send("Storage.setCookies", {
      cookies: [
        {
          name: "sid",
          value: `session-${index}-${randomBytes(6).toString("hex")}`,
          domain: `site${index}.example.test`,
          path: "/",
          secure: true,
          httpOnly: true,
          expires: Math.floor(Date.now() / 1000) + 86_400,
        },
      ],
    });
  } finally {
    await connection.close();
  }
}

// Eight real sessions (library, HTTP backend, real Chromium) opened on one
// environment from the same version, half through each of two API processes
// sharing one bucket on Ceph RGW, closed at the same moment: every session's
// login must be in the head, whatever order the saves landed in.
describe("eight sessions on one environment, through two API processes on Ceph RGW", () => {
  const key = `key-fay-${randomBytes(12).toString("hex")}`;
  let storage: TestStorage;
  let servers: ApiProcess[] = [];
  const sessions: Session[] = [];

  beforeAll(async () => {
    storage = await createTestStorage("s3");
    const env = { ...storage.env, API_KEYS: `${key}:fay` };
    servers = await Promise.all([startApi(env), startApi(env)]);
  });

  afterAll(async () => {
    await Promise.all(sessions.map((session) => session.close({ save: false }).catch(() => undefined)));
    await Promise.all(servers.map((server) => server.stop()));
    await storage?.cleanup();
  });

  it("closing all eight at once leaves all eight logins in the head", { timeout: 240_000 }, async () => {
    const api = client((servers[0] as ApiProcess).url, key);
    const created = await api.post<{ environment: { _id: string } }>("/environments", { name: "eight" });
    const id = created.body.environment._id;
    const first = await api.put<{ version: number }>(`/environments/${id}/state`, stateWithCookie("start"));
    expect(first.status).toBe(200);

    // Opened one after another (eight Chromiums starting at once on two cores only measure the machine).
    for (let i = 0; i < SESSIONS; i++) {
      const server = servers[i % 2] as ApiProcess;
      const session = await openSession({
        backend: apiBackend({ apiUrl: server.url, apiKey: key }),
        environmentId: id,
        headless: true,
      });
      sessions.push(session);
      expect(session.baseVersion).toBe(first.body.version);
      await logIn(session, i);
    }

    const receipts: SessionReceipt[] = await Promise.all(
      sessions.splice(0).map((session) => session.close()),
    );
    const saved = receipts.map((receipt) => receipt.saved);
    expect(saved.every((entry) => entry !== null)).toBe(true);
    const versions = saved.map((entry) => entry?.version).sort((a, b) => (a ?? 0) - (b ?? 0));
    expect(new Set(versions).size).toBe(SESSIONS);
    // Every save started from the first version; all but the first to land were merged with those before.
    expect(saved.filter((entry) => entry?.merged).length).toBe(SESSIONS - 1);
    for (const entry of saved) expect(entry?.changes.cookies.added).toBe(1);

    const head = await api.get<{ cookies: { domain: string; name: string }[] }>(`/environments/${id}/state`);
    const domains = head.body.cookies.map((cookie) => cookie.domain);
    for (let i = 0; i < SESSIONS; i++) expect(domains).toContain(`site${i}.example.test`);
    expect(domains).toContain(".example.test");
  });
});
