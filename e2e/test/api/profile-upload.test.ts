import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { writeLocalStorage } from "@webrun/browser-state";
import { manyEntriesTarGz, tarCzf } from "@webrun/test-fixtures";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiProcess, startApi } from "../support/api-process.js";
import { client, curlForm } from "./support/clients.js";
import { createTestStorage, type TestStorage } from "./support/storage.js";

const key = `key-${randomBytes(12).toString("hex")}`;
const EXTENSION_ID = "ghbmnnjooekpmoecnnnilnnbdlolhkhi";
let storage: TestStorage;
let server: ApiProcess;
let work: string;

beforeAll(async () => {
  storage = await createTestStorage("fs");
  work = await mkdtemp(path.join(tmpdir(), "webrun-api-profile-summary-"));
  server = await startApi({ ...storage.env, API_KEYS: `${key}:alice` });
});

afterAll(async () => {
  await server?.stop();
  await storage?.cleanup();
  await rm(work, { recursive: true, force: true });
});

it("lists an uploaded profile's localStorage origins and extensions: the API wires browser-state's inspector into env-store", async () => {
  const profile = path.join(work, "profile");
  await writeLocalStorage(profile, [
    {
      origin: "https://app.example.test",
      localStorage: [{ name: "k", value: "v" }],
      sessionStorage: [],
      indexedDB: [],
    },
  ]);
  const extension = path.join(profile, "Default", "Extensions", EXTENSION_ID, "1.0_0");
  await mkdir(extension, { recursive: true });
  await writeFile(path.join(extension, "manifest.json"), JSON.stringify({ name: "Helper", version: "1.0" }));
  const archive = path.join(work, "profile.tar.gz");
  await tarCzf(archive, profile);

  const api = client(server.url, key);
  const created = await api.post<{ environment: { _id: string } }>("/environments", { name: "uploaded" });
  const id = created.body.environment._id;
  const uploaded = await curlForm(`${server.url}/environments/${id}/profile`, key, [`file=@${archive}`]);
  expect(uploaded.status).toBe(200);
  const detail = await api.get<{
    environment: { summary: { origins: string[]; extensions: { id: string; name: string }[] } };
  }>(`/environments/${id}`);
  expect(detail.body.environment.summary.origins).toEqual(["https://app.example.test"]);
  expect(detail.body.environment.summary.extensions).toMatchObject([{ id: EXTENSION_ID, name: "Helper" }]);
});

it("answers a hostile profile of 200,000 tiny entries within 5 s with 400 naming the limit", async () => {
  const archive = path.join(work, "hostile.tar.gz");
  await writeFile(archive, await manyEntriesTarGz(200_000, "Default/"));
  const api = client(server.url, key);
  const created = await api.post<{ environment: { _id: string } }>("/environments", { name: "hostile" });
  const id = created.body.environment._id;
  const started = performance.now();
  const answer = await curlForm(`${server.url}/environments/${id}/profile`, key, [`file=@${archive}`]);
  expect(performance.now() - started).toBeLessThan(5_000);
  expect(answer).toMatchObject({
    status: 400,
    body: { success: false, message: "Archive has more than 20000 entries" },
  });
  expect(
    (await api.get<{ environment: { status: string } }>(`/environments/${id}`)).body.environment.status,
  ).toBe("empty");
});
