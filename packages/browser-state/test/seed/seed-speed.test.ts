import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserState, emptyBrowserState } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { launchChromium, launchSeeded } from "../../src/index.js";

/** The benchmark's first shape: 500 cookies, 20 origins × 50 localStorage keys. */
function benchmarkState(): BrowserState {
  const state = emptyBrowserState();
  const expires = Math.floor(Date.now() / 1000) + 86_400;
  for (let i = 0; i < 500; i++) {
    state.cookies.push({
      name: `c${i}`,
      value: `v${i}`,
      domain: `site${i % 20}.test`,
      path: "/",
      expires,
      httpOnly: false,
      secure: true,
      session: false,
      sameSite: "Lax",
    });
  }
  for (let o = 0; o < 20; o++) {
    state.origins.push({
      origin: `https://site${o}.test`,
      localStorage: Array.from({ length: 50 }, (_, k) => ({
        name: `k${k}`,
        value: `value-${k}-`.repeat(10),
      })),
      sessionStorage: [],
      indexedDB: [],
    });
  }
  return state;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

describe("seeding speed", () => {
  it("a seeded browser is ready about as fast as a bare one (localStorage goes to disk before launch)", async () => {
    const state = benchmarkState();
    const bare: number[] = [];
    const seeded: number[] = [];
    for (let round = 0; round < 5; round++) {
      const dir = await mkdtemp(path.join(tmpdir(), "webrun-bare-"));
      let started = performance.now();
      const plain = await launchChromium({ userDataDir: dir });
      await plain.connection.send("Target.createTarget", { url: "about:blank" });
      bare.push(performance.now() - started);
      await plain.close();
      await rm(dir, { recursive: true, force: true });

      started = performance.now();
      const browser = await launchSeeded(state);
      seeded.push(performance.now() - started);
      await browser.close();
    }
    const ratio = median(seeded) / median(bare);
    console.log(
      `seed 500 cookies + 20×50 localStorage: bare launch ${median(bare).toFixed(0)} ms, seeded ${median(seeded).toFixed(0)} ms, ratio ${ratio.toFixed(2)}`,
    );
    // The target is 1.5×; the bound here is loose because two shared cores make timing noisy.
    expect(ratio).toBeLessThan(2.5);
  }, 120_000);
});
