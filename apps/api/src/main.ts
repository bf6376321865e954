import { isWebrunError } from "@webrun/errors";
import { buildApp } from "./app.js";
import { loadConfig } from "./config.js";
import { loadOrCreateLocalApiKey, localApiUser } from "./local-api-key.js";
import { createServices } from "./services.js";

/** How long a shutdown waits for in-flight requests (uploads) before giving up on them. */
const SHUTDOWN_GRACE_MS = Number(process.env.SHUTDOWN_GRACE_SECONDS ?? 60) * 1000;

/**
 * `pnpm start`: reads the configuration, opens storage, listens, and logs
 * one line with the listening URL (plus one when it created a master key,
 * and one naming the local key's file when it runs without API_KEYS).
 * SIGTERM/SIGINT stop accepting connections, let in-flight requests finish
 * (at most SHUTDOWN_GRACE_SECONDS), stop the sweeper and close storage.
 */
async function main(): Promise<void> {
  const loaded = loadConfig();
  const localKey = loaded.localApiKey ? await loadOrCreateLocalApiKey(loaded.dataDir) : undefined;
  const config = localKey ? { ...loaded, apiKeys: `${localKey.key}:${localApiUser}` } : loaded;
  const services = await createServices(config);
  const app = buildApp({ config, services });
  app.addHook("onClose", () => services.close());
  if (localKey) {
    app.log.info(
      { path: localKey.path, user: localApiUser },
      `no API_KEYS: ${localKey.created ? "created" : "using"} the key of user "${localApiUser}" in ${localKey.path}; webrun-env on this machine reads it from there (other clients: Authorization: Bearer <its content>)`,
    );
  }
  if (services.createdMasterKeyPath) {
    app.log.warn(
      { path: services.createdMasterKeyPath },
      "created a new master key for the embedded storage: back it up, browser data cannot be read without it",
    );
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing in-flight requests");
    const deadline = setTimeout(() => {
      app.log.error("in-flight requests did not finish in time; exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    app.close().then(
      () => {
        clearTimeout(deadline);
        process.exit(0);
      },
      (error: unknown) => {
        app.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  await app.listen({
    host: config.host,
    port: config.port,
    listenTextResolver: (address) => `webrun API listening at ${address} (storage: ${config.storage})`,
  });
}

main().catch((error: unknown) => {
  // Configuration and storage errors are written for people; anything else gets no stack with secrets in it.
  const message = isWebrunError(error)
    ? error.message
    : error instanceof Error
      ? error.message
      : String(error);
  process.stderr.write(`webrun API failed to start: ${message}\n`);
  process.exit(1);
});
