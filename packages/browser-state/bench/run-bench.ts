/**
 * Seed and capture, ours side by side with Playwright's, on the same
 * Chromium and the same generated data, in one run. Prints medians, ratios
 * and PASS/MISS per target; it reports and never fails.
 *
 *   pnpm --filter @webrun/browser-state bench [-- --iterations=5 --datasets=A,B]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserState, toPlaywrightStorageState } from "@webrun/state";
import { chromium } from "playwright-core";
import {
  captureState,
  findChromium,
  launchChromium,
  launchSeeded,
  seedProfile,
  teardownCapture,
} from "../src/index.js";
import {
  countState,
  type DatasetShape,
  datasetA,
  datasetB,
  describeDataset,
  makeDataset,
} from "./datasets.js";
import { formatMs, formatRatio, Samples, table, timed } from "./stats.js";

/** Nothing may leave the machine: every host name fails to resolve, for both contenders. */
const isolatedArgs = ["--host-resolver-rules=MAP * ~NOTFOUND"];

const rows = {
  bare: "bare Chromium launch → CDP ready + blank page (ours)",
  pwBare: "bare Playwright launch + newContext() + newPage()",
  seed: "ours: launchSeeded → first page ready (launch included)",
  seedProfile: "  of which: seedProfile (leveldb written before launch)",
  pwWithLaunch: "Playwright: launch + newContext({storageState}) + newPage()",
  pwContext: "Playwright: newContext({storageState}) + newPage() (browser running)",
  capture: "ours: captureState (live, profileDir given)",
  teardown: "ours: teardownCapture (CDP reads, Browser.close, leveldb reads)",
  pwCapture: "Playwright: context.storageState()",
} as const;

interface Options {
  iterations: number;
  datasets: DatasetShape[];
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const iterations = Number.parseInt(value("iterations") ?? "5", 10);
  const names = (value("datasets") ?? "A,B").split(",");
  const datasets = [datasetA, datasetB].filter((d) => names.includes(d.label));
  if (!(iterations > 0) || datasets.length === 0) {
    throw new Error("usage: run-bench [--iterations=N (≥1)] [--datasets=A,B]");
  }
  return { iterations, datasets };
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), "webrun-bench-"));
  try {
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Whether a timed capture holds the whole dataset: a fast wrong answer is
 * worth nothing, so an incomplete capture is counted as such, not timed.
 */
function isComplete(got: { cookies: number; items: number }, shape: DatasetShape): boolean {
  return got.cookies >= shape.cookies && got.items === shape.origins * shape.keysPerOrigin;
}

async function measureBare(samples: Samples): Promise<void> {
  await withTempDir(async (dir) => {
    const [browser, ms] = await timed(async () => {
      const launched = await launchChromium({ userDataDir: dir, args: isolatedArgs });
      await launched.connection.send("Target.createTarget", { url: "about:blank" });
      return launched;
    });
    samples.add(rows.bare, ms);
    await browser.close();
  });
}

async function measureOurs(samples: Samples, state: BrowserState, shape: DatasetShape): Promise<void> {
  const [seeded, seedMs] = await timed(() => launchSeeded(state, { args: isolatedArgs }));
  try {
    samples.add(rows.seed, seedMs);
    // The pre-launch part of launchSeeded on its own, to explain the seed row.
    await withTempDir(async (dir) => {
      const [, ms] = await timed(() => seedProfile(path.join(dir, "profile"), state));
      samples.add(rows.seedProfile, ms);
    });
    const [{ state: live }, captureMs] = await timed(() =>
      captureState(seeded.cdpUrl, { profileDir: seeded.userDataDir }),
    );
    samples.add(rows.capture, captureMs, isComplete(countState(live), shape));
    // teardownCapture closes the browser itself; the profile stays until seeded.close() removes it.
    const [{ state: final }, teardownMs] = await timed(() =>
      teardownCapture({ cdpUrl: seeded.cdpUrl, userDataDir: seeded.userDataDir }),
    );
    samples.add(rows.teardown, teardownMs, isComplete(countState(final), shape));
  } finally {
    await seeded.close();
  }
}

async function measurePlaywright(samples: Samples, state: BrowserState, shape: DatasetShape): Promise<void> {
  const storageState = toPlaywrightStorageState(state);
  const start = performance.now();
  const browser = await chromium.launch({ executablePath: findChromium(), args: isolatedArgs });
  try {
    const launchedAt = performance.now();
    const context = await browser.newContext({ storageState });
    await context.newPage();
    const readyAt = performance.now();
    samples.add(rows.pwWithLaunch, readyAt - start);
    samples.add(rows.pwContext, readyAt - launchedAt);
    const [captured, captureMs] = await timed(() => context.storageState());
    samples.add(rows.pwCapture, captureMs, isComplete(countState(captured), shape));
  } finally {
    await browser.close();
  }
}

async function measurePlaywrightBare(samples: Samples): Promise<void> {
  const [browser, ms] = await timed(async () => {
    const launched = await chromium.launch({ executablePath: findChromium(), args: isolatedArgs });
    await (await launched.newContext()).newPage();
    return launched;
  });
  samples.add(rows.pwBare, ms);
  await browser.close();
}

interface Target {
  name: string;
  ratio: number;
  pass: boolean;
  wanted: string;
}

function report(shape: DatasetShape, samples: Samples, iterations: number): Target[] {
  const m = (row: string) => samples.median(row);
  const bare = m(rows.bare);
  console.log(`\n### Dataset ${shape.label}: ${describeDataset(shape)} — medians of ${iterations} runs\n`);
  console.log(
    table(
      ["step", "median ms", "vs bare launch", "samples ms", "incomplete"],
      samples
        .rows()
        .map(([row, list]) => [
          row,
          formatMs(m(row)),
          formatRatio(m(row) / bare),
          list.map(formatMs).join(" "),
          String(samples.incomplete(row)),
        ]),
    ),
  );
  const seedVsBare = m(rows.seed) / bare;
  const vsContext = m(rows.pwContext) / m(rows.seed);
  const vsWithLaunch = m(rows.pwWithLaunch) / m(rows.seed);
  // Seeding work alone on both sides: ours above a bare launch, Playwright's context in a running browser.
  const overhead = m(rows.pwContext) / (m(rows.seed) - bare);
  const teardown = m(rows.pwCapture) / m(rows.teardown);
  const live = m(rows.pwCapture) / m(rows.capture);
  const targets: Target[] = [
    {
      name: "seed within 1.5× of a bare launch",
      ratio: seedVsBare,
      pass: seedVsBare <= 1.5,
      wanted: "≤ 1.5×",
    },
    {
      name: "seed vs Playwright newContext, launch NOT counted for Playwright (strict)",
      ratio: vsContext,
      pass: vsContext >= 10,
      wanted: "≥ 10× faster",
    },
    {
      name: "seed vs Playwright launch + newContext (launch counted on both sides)",
      ratio: vsWithLaunch,
      pass: vsWithLaunch >= 10,
      wanted: "≥ 10× faster",
    },
    {
      name: "seed work alone (launchSeeded − bare launch) vs Playwright newContext (browser running)",
      ratio: overhead,
      pass: overhead >= 10,
      wanted: "≥ 10× faster",
    },
    {
      name: "teardownCapture vs Playwright storageState()",
      ratio: teardown,
      pass: teardown >= 5,
      wanted: "≥ 5× faster",
    },
    {
      name: "captureState (live) vs Playwright storageState()",
      ratio: live,
      pass: live >= 1,
      wanted: "(no target)",
    },
  ];
  console.log("");
  console.log(
    table(
      ["target", "ratio", "wanted", "result"],
      targets.map((t) => [
        t.name,
        formatRatio(t.ratio),
        t.wanted,
        t.wanted.startsWith("(") ? "info" : t.pass ? "PASS" : "MISS",
      ]),
    ),
  );
  return targets;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const executable = findChromium();
  console.log(
    `Chromium: ${executable}; Node ${process.version}; ${options.iterations} iterations per dataset`,
  );
  // One unmeasured round so the first measured launch does not pay for a cold disk cache.
  const warmUp = new Samples();
  await measureBare(warmUp);
  await measurePlaywrightBare(warmUp);
  for (const shape of options.datasets) {
    const state = makeDataset(shape);
    const samples = new Samples();
    for (let i = 0; i < options.iterations; i++) {
      // Interleaved, so that drift on a shared machine hits every row alike.
      await measureBare(samples);
      await measurePlaywrightBare(samples);
      await measureOurs(samples, state, shape);
      await measurePlaywright(samples, state, shape);
      process.stderr.write(`dataset ${shape.label}: run ${i + 1}/${options.iterations} done\n`);
    }
    report(shape, samples, options.iterations);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
