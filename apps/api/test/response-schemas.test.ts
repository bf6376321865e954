import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Environment } from "@webrun/env-store";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createServices, type Services } from "../src/services.js";

const apiKey = `schemas-${randomBytes(16).toString("hex")}`;

/**
 * Answers are serialised through their route's response schema: a field the
 * schema does not name never leaves the process, and a body that does not
 * fit is a 500 (logged), not a malformed answer.
 */
describe("response schemas are enforced", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** The real app over real storage, with `environments.list` answering `listed`. */
  async function appListing(listed: (real: Environment) => unknown[]): Promise<FastifyInstance> {
    const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-schemas-"));
    const config = loadConfig({
      DATA_DIR: dataDir,
      API_KEYS: `${apiKey}:alice`,
      WEBRUN_MASTER_KEYS: `k1:${randomBytes(32).toString("base64")}`,
      LOG_LEVEL: "silent",
    });
    const services = await createServices(config);
    const real = await services.environments.create("alice", { name: "real" });
    const environments = Object.create(services.environments) as Services["environments"];
    environments.list = async () => listed(real) as Environment[];
    const app = buildApp({ config, services: { ...services, environments } });
    cleanups.push(async () => {
      await app.close();
      await services.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    return app;
  }

  it("drops fields the schema does not name", async () => {
    const app = await appListing((real) => [{ ...real, masterKey: "do-not-leak" }]);
    const answer = await app.inject({ url: "/environments", headers: { authorization: `Bearer ${apiKey}` } });
    expect(answer.statusCode).toBe(200);
    expect(answer.body).not.toContain("do-not-leak");
    expect(answer.json().environments[0].name).toBe("real");
  });

  it("answers 500 for a body that does not fit, without its content", async () => {
    const app = await appListing((real) => [{ ...real, _id: "not-an-object-id", name: 42 }]);
    const answer = await app.inject({ url: "/environments", headers: { authorization: `Bearer ${apiKey}` } });
    expect(answer.statusCode).toBe(500);
    expect(answer.json()).toEqual({ success: false, message: "internal error", code: "INTERNAL" });
  });
});
