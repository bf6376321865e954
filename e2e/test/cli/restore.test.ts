import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectCdp, type LaunchedBrowser, launchChromium } from "@webrun/browser-state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { evaluate, runCli, startPlainSite, visit } from "./browser-cli-helpers.js";

let site: Awaited<ReturnType<typeof startPlainSite>>;
let dir: string;
let browser: LaunchedBrowser;

beforeAll(async () => {
  site = await startPlainSite();
  dir = await mkdtemp(join(tmpdir(), "webrun-cli-restore-"));
  browser = await launchChromium({ userDataDir: join(dir, "profile") });
});

afterAll(async () => {
  await browser?.close();
  await site?.close();
  await rm(dir, { recursive: true, force: true });
});

describe("webrun-env restore", () => {
  it("restores cookies and storage into a running browser without touching the site", async () => {
    const stateFile = join(dir, "state.json");
    await writeFile(
      stateFile,
      JSON.stringify({
        version: 1,
        cookies: [
          {
            name: "sid",
            value: "restored-1",
            domain: "127.0.0.1",
            path: "/",
            expires: -1,
            httpOnly: true,
            secure: false,
            session: true,
          },
        ],
        origins: [
          {
            origin: site.origin,
            localStorage: [{ name: "token", value: "restored-ls" }],
            sessionStorage: [{ name: "tab", value: "restored-ss" }],
          },
        ],
      }),
    );
    const result = await runCli(["restore", "--cdp", browser.cdpUrl, "--state", stateFile]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(site.requests).toEqual([]);
    const summary = JSON.parse(result.stdout) as { cookies: number; origins: number; pageTargetId: string };
    expect(summary).toMatchObject({ cookies: 1, origins: 1 });

    const connection = await connectCdp(browser.cdpUrl);
    const session = await visit(connection, `${site.origin}/home`, summary.pageTargetId);
    expect(site.requests.at(-1)?.cookie).toBe("sid=restored-1");
    expect(
      await evaluate(connection, session, `[localStorage.getItem("token"), sessionStorage.getItem("tab")]`),
    ).toEqual(["restored-ls", "restored-ss"]);
    await connection.close();
  }, 30_000);
});
