import { randomBytes } from "node:crypto";
import { openAsBlob } from "node:fs";
import { rm } from "node:fs/promises";
import { fakeProfileArchive, stateWithCookie } from "@webrun/test-fixtures";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessApi, startInProcessApi } from "./in-process-api.js";

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

/** One answer of the server, with the operation it answered. */
interface Answer {
  operation: string;
  status: number;
  contentType: string;
  body: Buffer;
}

const apiKey = `conformance-${randomBytes(16).toString("hex")}`;

/**
 * Every route is exercised over real HTTP and every answer (successes and
 * errors) is checked against the schema that the OpenAPI document produced
 * by @fastify/swagger gives for its operation, status and media type; an
 * operation the test does not reach fails it, so a new route needs a case.
 */
describe("every answer matches the OpenAPI document", () => {
  let api: InProcessApi;
  let baseUrl: string;
  let document: OpenApiDocument;
  const answers: Answer[] = [];

  beforeAll(async () => {
    api = await startInProcessApi(apiKey);
    baseUrl = api.baseUrl;
    document = (await (await fetch(`${baseUrl}/openapi.json`)).json()) as OpenApiDocument;
  });

  afterAll(() => api?.close());

  /** Calls `method template` (`/environments/{id}`) with its path values, recording the answer. */
  async function call(
    method: string,
    template: string,
    values: Record<string, string | number> = {},
    init: RequestInit & { json?: unknown; key?: string | null; query?: string } = {},
  ): Promise<{ status: number; json: () => Record<string, unknown> }> {
    const url =
      template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String(values[name]))) +
      (init.query ?? "");
    const headers = new Headers(init.headers);
    if (init.key !== null) headers.set("authorization", `Bearer ${init.key ?? apiKey}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set("content-type", "application/json");
      body = JSON.stringify(init.json);
    }
    const response = await fetch(`${baseUrl}${url}`, { ...init, method, headers, body: body ?? null });
    const bytes = Buffer.from(await response.arrayBuffer());
    answers.push({
      operation: `${method.toLowerCase()} ${template}`,
      status: response.status,
      contentType: (response.headers.get("content-type") ?? "").split(";")[0] ?? "",
      body: bytes,
    });
    return { status: response.status, json: () => JSON.parse(bytes.toString("utf8")) };
  }

  it("exercises every route", async () => {
    await call("GET", "/healthz", {}, { key: null });
    await call("GET", "/readyz", {}, { key: null });
    await call("GET", "/openapi.json", {}, { key: null });

    for (const prefix of ["/environments", "/profiles"]) {
      const one = prefix === "/environments" ? "environment" : "profile";
      await call("POST", prefix, {}, { json: {} });
      await call("GET", prefix, {}, { key: null });
      const created = await call("POST", prefix, {}, { json: { name: `${one} one` } });
      expect(created.status).toBe(201);
      const id = (created.json()[one] as { _id: string })._id;
      await call("GET", prefix);
      await call("GET", `${prefix}/{id}`, { id });
      await call("GET", `${prefix}/{id}`, { id: "000000000000000000000000" });
      await call("PATCH", `${prefix}/{id}`, { id }, { json: { name: "renamed" } });
      await call("PATCH", `${prefix}/{id}`, { id }, { json: { name: "" } });

      await call("GET", `${prefix}/{id}/state`, { id });
      await call("GET", `${prefix}/{id}/profile/download`, { id });
      const saved = await call("PUT", `${prefix}/{id}/state`, { id }, { json: stateWithCookie("v1") });
      expect(saved.status).toBe(200);
      await call(
        "PUT",
        `${prefix}/{id}/state`,
        { id },
        { json: stateWithCookie("v2"), headers: { "if-match": '"7"' } },
      );
      const merged = await call(
        "PUT",
        `${prefix}/{id}/state`,
        { id },
        { json: stateWithCookie("v3"), query: "?base=1" },
      );
      expect(merged.json().saved).toMatchObject({ baseVersion: 1 });
      await call("PUT", `${prefix}/{id}/state`, { id }, { json: stateWithCookie("v4"), query: "?base=99" });
      await call(
        "PUT",
        `${prefix}/{id}/state`,
        { id },
        { body: "x", headers: { "content-type": "text/plain" } },
      );
      await call("GET", `${prefix}/{id}/state`, { id });
      await call("GET", `${prefix}/{id}/state`, { id }, { headers: { accept: "application/gzip" } });
      await call("GET", `${prefix}/{id}/versions`, { id });
      await call("POST", `${prefix}/{id}/versions/{version}/restore`, { id, version: 1 });
      await call("POST", `${prefix}/{id}/versions/{version}/restore`, { id, version: 99 });
      await call("GET", `${prefix}/{id}/versions/{from}/diff/{to}`, { id, from: 1, to: 2 });
      await call("GET", `${prefix}/{id}/versions/{from}/diff/{to}`, { id, from: 1, to: 99 });
      await call("GET", `${prefix}/{id}/versions/{from}/diff/{to}`, { id, from: "one", to: 2 });

      const profile = await fakeProfileArchive();
      try {
        const form = new FormData();
        form.append("file", await openAsBlob(profile.archive), "profile.tar.gz");
        await call("POST", `${prefix}/{id}/profile`, { id }, { body: form });
        await call("POST", `${prefix}/{id}/profile`, { id }, { json: {} });
      } finally {
        await rm(profile.dir, { recursive: true, force: true });
      }
      const link = await call("GET", `${prefix}/{id}/profile/download`, { id });
      const token = String(link.json().downloadUrl).split("/downloads/")[1] as string;
      await call("GET", "/downloads/{token}", { token }, { key: null });
      await call("GET", "/downloads/{token}", { token: "forged.token" }, { key: null });

      const upload = new FormData();
      upload.append("environmentId", id);
      upload.append("files", new Blob(["hello"]), "hello.txt");
      const uploaded = await call("POST", "/files/upload", {}, { body: upload });
      const fileId = (uploaded.json().files as { fileId: string }[])[0]?.fileId as string;
      await call("POST", "/files/upload", {}, { json: {} });
      await call("GET", "/files/{fileId}", { fileId });
      await call("GET", "/files/{fileId}", { fileId }, { headers: { range: "bytes=1-2" } });
      await call("GET", "/files/{fileId}", { fileId }, { headers: { range: "bytes=100-" } });
      await call("GET", `${prefix}/{id}/files`, { id });
      await call("DELETE", `${prefix}/{id}/files/{fileId}`, { id, fileId });
      await call("DELETE", `${prefix}/{id}/files/{fileId}`, { id, fileId });
      await call("DELETE", `${prefix}/{id}`, { id });
      await call("DELETE", `${prefix}/{id}`, { id });
    }

    const documented = Object.entries(document.paths).flatMap(([p, methods]) =>
      Object.keys(methods).map((method) => `${method} ${p}`),
    );
    const exercised = new Set(answers.map((answer) => answer.operation));
    expect(documented.filter((operation) => !exercised.has(operation))).toEqual([]);
  });

  it("answers as documented: each body fits its operation's schema for that status and media type", () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addFormat("date-time", (value: string) => !Number.isNaN(Date.parse(value)));
    ajv.addFormat("uri", (value: string) => URL.canParse(value));
    const misfits: string[] = [];
    for (const answer of answers) {
      const [method, template] = answer.operation.split(" ") as [string, string];
      const response = document.paths[template]?.[method]?.responses[String(answer.status)];
      // Downloads are typed as sniffed from their bytes: the document says `*/*` for them.
      const media = response?.content?.[answer.contentType] ?? response?.content?.["*/*"];
      if (!media?.schema) {
        misfits.push(`${answer.operation} → ${answer.status} ${answer.contentType}: not documented`);
        continue;
      }
      if (answer.contentType !== "application/json") continue;
      const validate = ajv.compile(media.schema);
      if (!validate(JSON.parse(answer.body.toString("utf8")))) {
        misfits.push(`${answer.operation} → ${answer.status}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(misfits).toEqual([]);
    // Successes and errors both: the document describes the error answers too.
    expect(new Set(answers.map((answer) => Math.floor(answer.status / 100)))).toEqual(new Set([2, 4]));
  });
});
