import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildApp } from "../src/app.js";
import { loadConfig } from "../src/config.js";
import { createServices, type Services } from "../src/services.js";

/** The app on a loopback port over a fresh data folder (fs store), with one user's key. */
export interface InProcessApi {
  baseUrl: string;
  services: Services;
  close(): Promise<void>;
}

export async function startInProcessApi(apiKey: string, user = "alice"): Promise<InProcessApi> {
  const dataDir = await mkdtemp(path.join(tmpdir(), "webrun-api-test-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    API_KEYS: `${apiKey}:${user}`,
    WEBRUN_MASTER_KEYS: `k1:${randomBytes(32).toString("base64")}`,
    LOG_LEVEL: "silent",
  });
  const services = await createServices(config);
  const app = buildApp({ config, services });
  const baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    baseUrl,
    services,
    close: async () => {
      await app.close();
      await services.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
