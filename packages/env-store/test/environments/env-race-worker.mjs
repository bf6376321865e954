// One of several processes sharing an fs store root and a master key, as several API
// processes sharing DATA_DIR do (run by processes.test.ts against the built dist/).
// Prints "ready", waits for "go" on stdin so all workers start together, then prints one JSON line.

import { createHash, randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import {
  createEncryptedBlobStore,
  createFsBlobStore,
  keyringFromConfig,
  loadOrCreateLocalKeyring,
} from "@webrun/blob-store";
import { createEnvironmentStore } from "../../dist/environments/environment-store.js";

const [root, userId, envId, mode, label, countText] = process.argv.slice(2);
// WEBRUN_RACE_S3 (JSON: endpoint, region, bucket, credentials, masterKeys) puts the race on S3 instead of `root`.
const s3 = process.env.WEBRUN_RACE_S3 ? JSON.parse(process.env.WEBRUN_RACE_S3) : undefined;
async function openDriver() {
  if (!s3) return createFsBlobStore({ root: `${root}/store` });
  // Only the S3 race loads the S3 driver (and the AWS SDK).
  const { createS3BlobStore } = await import("@webrun/blob-store/s3");
  return createS3BlobStore({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint,
    credentials: s3.credentials,
  });
}
const keyring = s3
  ? keyringFromConfig({ masterKeys: s3.masterKeys })
  : (await loadOrCreateLocalKeyring(root)).keyring;
const store = createEnvironmentStore({
  store: createEncryptedBlobStore(await openDriver(), keyring),
  // In "create" mode the count argument is the per-user limit.
  limits: { keepVersions: 100, ...(mode === "create" ? { maxEnvironmentsPerUser: Number(countText) } : {}) },
});

const EXTENSION_ID = "abcdefghijklmnopabcdefghijklmnop";

function state(value, files = []) {
  return {
    version: 1,
    cookies: [
      {
        name: "writer",
        value,
        domain: "example.com",
        path: "/",
        expires: -1,
        httpOnly: true,
        secure: true,
        session: true,
      },
    ],
    origins: [],
    extensions: files.length
      ? [
          {
            id: EXTENSION_ID,
            name: "big",
            version: "1",
            manifest: {},
            enabled: true,
            files,
            storage: { local: {}, sync: {} },
          },
        ]
      : [],
  };
}

async function attempt(run) {
  try {
    return { ok: true, ...(await run()) };
  } catch (error) {
    return { ok: false, code: error.code ?? "UNKNOWN", message: error.message };
  }
}

process.stdout.write("ready\n");
await new Promise((resolve) => createInterface({ input: process.stdin }).once("line", resolve));

let result;
if (mode === "save-on-base") {
  result = await attempt(async () => {
    const saved = await store.saveVersion(userId, envId, {
      state: state(label),
      baseVersion: Number(countText),
    });
    return { version: saved.version };
  });
} else if (mode === "save-many") {
  const versions = [];
  for (let i = 0; i < Number(countText); i += 1)
    versions.push((await store.saveVersion(userId, envId, { state: state(`${label}-${i}`) })).version);
  result = { ok: true, versions };
} else if (mode === "create") {
  result = await attempt(async () => ({ id: (await store.create(userId, { name: label }))._id }));
} else if (mode === "save-slowly") {
  // A 32 MiB extension file streamed slowly, so the parent can kill this process mid-save.
  const size = 32 * 1024 * 1024;
  const chunk = randomBytes(1024 * 1024);
  const hash = createHash("sha256");
  for (let i = 0; i < size / chunk.length; i += 1) hash.update(chunk);
  const files = [{ path: "big.bin", size, sha256: hash.digest("hex") }];
  const source = () =>
    Readable.from(
      (async function* () {
        for (let i = 0; i < size / chunk.length; i += 1) {
          if (i === 4) process.stdout.write(`${JSON.stringify({ uploading: true })}\n`);
          await new Promise((resolve) => setTimeout(resolve, 50));
          yield chunk;
        }
      })(),
    );
  result = await attempt(async () => ({
    version: (await store.saveVersion(userId, envId, { state: state(label, files), extensionFiles: source }))
      .version,
  }));
}
process.stdout.write(`${JSON.stringify(result)}\n`);
await store.collectGarbage({ userId }).catch(() => {});
process.exit(0);
