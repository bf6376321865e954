// How long a session takes to be ready when its environment lives behind the API, against the
// peer path with no network and no store: `launch --state` from a local file (read, validate,
// `launchSeeded`). Same state, same Chromium, same flags, alternating rounds in one process (no
// process start-up on either side); the API runs as its own process on the embedded store.
// Prints the medians, the raw figures of every round and the ratio against the 1.3× goal.
// It reports and never fails.
//
//   pnpm turbo run build --filter=@webrun/session... --filter=@webrun/api && \
//     node packages/session/bench/open-session-bench.mjs [--iterations=5]
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { launchSeeded } from "@webrun/browser-state";
import { openSession } from "@webrun/session";
import { apiBackend } from "@webrun/session/api";
import { parseBrowserState } from "@webrun/state";

const iterations = Number(process.argv.find((a) => a.startsWith("--iterations="))?.split("=")[1] ?? 5);
const GOAL = 1.3;
const apiMain = fileURLToPath(new URL("../../../apps/api/dist/main.js", import.meta.url));
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** 500 cookies on 50 domains and 20 origins with 50 localStorage items and a small IndexedDB each. */
function dataset() {
  const future = Math.floor(Date.now() / 1000) + 86_400 * 30;
  return {
    version: 1,
    capturedAt: new Date().toISOString(),
    cookies: Array.from({ length: 500 }, (_, i) => ({
      name: `c${i % 10}`,
      value: randomBytes(24).toString("hex"),
      domain: `.site${Math.floor(i / 10)}.example.test`,
      path: "/",
      expires: future,
      httpOnly: true,
      secure: true,
      sameSite: "Lax",
    })),
    origins: Array.from({ length: 20 }, (_, i) => ({
      origin: `https://app${i}.example.test`,
      localStorage: Array.from({ length: 50 }, (_, k) => ({
        name: `k${k}`,
        value: randomBytes(32).toString("hex"),
      })),
      sessionStorage: [{ name: "token", value: randomBytes(16).toString("hex") }],
      indexedDB: [
        {
          name: "db",
          version: 1,
          objectStores: [
            {
              name: "items",
              keyPath: "id",
              autoIncrement: false,
              indexes: [],
              records: Array.from({ length: 20 }, (_, r) => ({ key: r, value: { id: r, text: `r${r}` } })),
            },
          ],
        },
      ],
    })),
    extensions: [],
  };
}

async function startApi(dataDir, apiKey) {
  const child = spawn(process.execPath, [apiMain], {
    env: { ...process.env, PORT: "0", DATA_DIR: dataDir, API_KEYS: `${apiKey}:bench` },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const url = await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the API exited with ${code}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const found = /listening at (http:\/\/\S+)/.exec(line);
      if (found) resolve(found[1]);
    });
  });
  return { url, stop: () => new Promise((resolve) => child.once("exit", resolve).kill("SIGTERM")) };
}

const work = await mkdtemp(path.join(tmpdir(), "webrun-session-bench-"));
const apiKey = `bench-${randomBytes(12).toString("hex")}`;
const api = await startApi(path.join(work, "data"), apiKey);
try {
  const state = dataset();
  const stateFile = path.join(work, "state.json");
  await writeFile(stateFile, JSON.stringify(state));
  const headers = { authorization: `Bearer ${apiKey}`, "content-type": "application/json" };
  const created = await (
    await fetch(`${api.url}/environments`, { method: "POST", headers, body: '{"name":"bench"}' })
  ).json();
  const environmentId = created.environment._id;
  const saved = await fetch(`${api.url}/environments/${environmentId}/state`, {
    method: "PUT",
    headers,
    body: JSON.stringify(state),
  });
  if (!saved.ok) throw new Error(`saving the bench state failed: ${saved.status}`);
  const backend = apiBackend({ apiUrl: api.url, apiKey });

  const session = [];
  const local = [];
  for (let round = 0; round < iterations; round++) {
    let started = performance.now();
    const opened = await openSession({ backend, environmentId, headless: true });
    session.push(performance.now() - started);
    await opened.close({ save: false });

    started = performance.now();
    const browser = await launchSeeded(parseBrowserState(JSON.parse(await readFile(stateFile, "utf8"))), {
      headless: true,
    });
    local.push(performance.now() - started);
    await browser.close();
  }

  const ratio = median(session) / median(local);
  const rounds = (values) => values.map((ms) => ms.toFixed(0)).join(", ");
  console.log(
    `open-session bench: ${state.cookies.length} cookies, ${state.origins.length} origins (50 localStorage items, 20 IndexedDB records each), median of ${iterations}`,
  );
  console.log(
    `  openSession via the API → ready   ${median(session).toFixed(0)} ms   (rounds: ${rounds(session)})`,
  );
  console.log(
    `  launch --state from a local file  ${median(local).toFixed(0)} ms   (rounds: ${rounds(local)})`,
  );
  console.log(`  ratio ${ratio.toFixed(2)}×   goal ≤ ${GOAL}×: ${ratio <= GOAL ? "PASS" : "MISS"}`);
} finally {
  await api.stop();
  await rm(work, { recursive: true, force: true });
}
