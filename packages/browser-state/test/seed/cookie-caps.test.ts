import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type BrowserState, emptyBrowserState } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { connectCdp, launchChromium, launchSeeded, restoreState } from "../../src/index.js";

const domains = 20;
const perDomain = 500;

/** 10,000 cookies on 20 domains: far over Chromium's 180 per domain. */
function manyCookies(): BrowserState {
  const state = emptyBrowserState();
  const expires = Math.floor(Date.now() / 1000) + 86_400;
  for (let d = 0; d < domains; d++) {
    for (let i = 0; i < perDomain; i++) {
      state.cookies.push({
        name: `c${i}`,
        value: `v${d}-${i}`,
        domain: `site${d}.test`,
        path: "/",
        expires,
        httpOnly: false,
        secure: true,
        session: false,
      });
    }
  }
  return state;
}

async function cookiesHeld(endpoint: string): Promise<number> {
  const connection = await connectCdp(endpoint);
  try {
    return (await connection.send("Storage.getCookies", {})).cookies.length;
  } finally {
    await connection.close();
  }
}

describe("seeding more cookies than Chromium keeps", () => {
  it("launchSeeded and restoreState report what the browser holds, and why the rest is gone", async () => {
    const state = manyCookies();
    const seeded = await launchSeeded(state);
    try {
      const held = await cookiesHeld(seeded.cdpUrl);
      expect(held).toBeLessThan(domains * 180);
      expect(seeded.report.complete).toBe(false);
      expect(seeded.report.cookies).toEqual({
        kept: held,
        of: domains * perDomain,
        dropped: [
          {
            reason: "Chromium caps: 180 per domain",
            count: domains * perDomain - held,
            examples: expect.any(Array),
          },
        ],
      });
    } finally {
      await seeded.close();
    }

    const dir = await mkdtemp(path.join(tmpdir(), "webrun-cookie-caps-"));
    const running = await launchChromium({ userDataDir: path.join(dir, "profile") });
    try {
      const { report } = await restoreState(running.cdpUrl, state);
      const held = await cookiesHeld(running.cdpUrl);
      expect(report.cookies.kept).toBe(held);
      expect(report.cookies.dropped.map((item) => [item.reason, item.count])).toEqual([
        ["Chromium caps: 180 per domain", domains * perDomain - held],
      ]);
    } finally {
      await running.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
