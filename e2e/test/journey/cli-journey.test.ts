import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LaunchedBrowser } from "@webrun/browser-state";
import { parseBrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliLaunch, webrunEnv, webrunEnvLaunch } from "./cli.js";
import {
  type JourneyWorld,
  keepOpenInNewTab,
  logInEverywhere,
  showInFirstTab,
  startJourneyWorld,
} from "./journey-world.js";

// The "Done when" of the browser-state issue, through the CLI a person runs:
// a browser logged in everywhere is captured with `webrun-env capture`, and in
// a browser started by `webrun-env launch` every site is still logged in.
describe("still logged in: webrun-env capture → launch / restore", () => {
  let world: JourneyWorld;
  let dir: string;
  let original: LaunchedBrowser | undefined;
  let launched: CliLaunch | undefined;
  let running: LaunchedBrowser | undefined;

  beforeAll(async () => {
    world = await startJourneyWorld();
    dir = await mkdtemp(path.join(tmpdir(), "webrun-cli-journey-"));
  }, 300_000);

  afterAll(async () => {
    await Promise.all([original?.close(), launched?.stop(), running?.close()]);
    await world?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const stateJson = () => path.join(dir, "state.json");
  const archive = () => path.join(dir, "environment.tar.gz");

  it("captures a logged-in browser to .json and to .tar.gz without a request reaching a server", async () => {
    original = await world.launchFresh();
    await logInEverywhere(world, original.cdpUrl);
    // The user's tabs at the end: the chat app (sessionStorage lives in its tab) and the news with its widget.
    await showInFirstTab(original.cdpUrl, `${world.sites.origins.chat}/account`);
    await keepOpenInNewTab(original.cdpUrl, `${world.sites.origins.news}/`);
    world.sites.reset();
    // --profile-dir: more origins (Local Storage and IndexedDB folders) are found in the profile.
    const profile = ["--profile-dir", original.userDataDir];
    const summary = await webrunEnv(["capture", "--cdp", original.httpUrl, "--out", stateJson(), ...profile]);
    await webrunEnv(["capture", "--cdp", original.cdpUrl, "--out", archive(), ...profile]);
    expect(world.sites.requests()).toEqual([]);
    const state = parseBrowserState(JSON.parse(await readFile(stateJson(), "utf8")));
    expect(summary).toMatchObject({ cookies: state.cookies.length, extensions: 2 });
    expect(state.extensions.map((e) => e.id)).toContain(world.keyed.id);
    await original.close();
    original = undefined;
  }, 120_000);

  for (const [format, file] of [
    ["the .json state", stateJson],
    ["the .tar.gz environment", archive],
  ] as const) {
    it(`launch --state <${format}>: every site is still logged in, and seeding sent no request`, async () => {
      await launched?.stop();
      world.sites.reset();
      launched = await webrunEnvLaunch(["--state", file(), "--headless", "--", ...world.sites.chromiumArgs]);
      const { cdp, pid, pageTargetId } = launched.ready;
      expect(cdp).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\//);
      expect(world.sites.requests()).toEqual([]);
      expect(
        await world.failedChecks(cdp, {
          ...(pageTargetId ? { pageTargetId } : {}),
          extensionIds: [world.keyed.id],
        }),
      ).toEqual([]);
      expect(await launched.stop()).toBe(0);
      launched = undefined;
      expect(() => process.kill(pid, 0)).toThrow();
    }, 120_000);
  }

  it("restore --cdp <fresh browser> --state <.json>: every site is logged in", async () => {
    running = await world.launchFresh();
    world.sites.reset();
    const result = (await webrunEnv(["restore", "--cdp", running.httpUrl, "--state", stateJson()])) as {
      pageTargetId?: string;
    };
    expect(world.sites.requests()).toEqual([]);
    expect(
      await world.failedChecks(running.cdpUrl, {
        ...(result.pageTargetId ? { pageTargetId: result.pageTargetId } : {}),
        extensionIds: [world.keyed.id, world.keyless.id],
      }),
    ).toEqual([]);
  }, 120_000);
});
