import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { emptyBrowserState } from "@webrun/state";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectCdp, launchSeeded } from "../../src/index.js";

/** A page that writes localStorage and IndexedDB for as long as it is open. */
const busyWriter = `<!doctype html><script>
  let n = 0;
  setInterval(() => { for (let i = 0; i < 50; i++) localStorage.setItem("k" + (n++ % 500), "v".repeat(2000) + n); }, 5);
  indexedDB.open("busy", 1).onupgradeneeded = (e) => e.target.result.createObjectStore("s");
  setInterval(() => {
    const open = indexedDB.open("busy", 1);
    open.onsuccess = () => open.result.transaction("s", "readwrite").objectStore("s").put("x".repeat(20000), n++ % 200);
  }, 5);
</script>`;

/** Every process descended from `pid` right now, through the parent links in /proc. */
async function descendantsOf(pid: number): Promise<number[]> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // "pid (comm) state ppid …": comm may hold spaces and parentheses.
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    parentOf.set(Number(entry), ppid);
  }
  const found: number[] = [];
  const queue = [pid];
  for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
    for (const [child, itsParent] of parentOf) {
      if (itsParent === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a seeded browser killed while its pages write storage", () => {
  let server: http.Server;
  let origin: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => res.end(busyWriter));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  // Chromium's zygote, renderers and utility processes outlive a SIGKILLed main
  // process by a moment, still writing into the profile: removing it then can
  // fail (ENOTEMPTY) or leave it behind, cookies and all.
  it("close() waits for every process of the browser, then removes the whole profile", async () => {
    const browser = await launchSeeded(emptyBrowserState());
    const profileRoot = path.dirname(browser.userDataDir);
    let processes: number[] = [];
    try {
      const connection = await connectCdp(browser.cdpUrl);
      for (let tab = 0; tab < 4; tab++) {
        await connection.send("Target.createTarget", { url: `${origin}/tab${tab}` });
      }
      await connection.close();
      const localStorage = path.join(browser.userDataDir, "Default", "Local Storage", "leveldb");
      for (let waited = 0; !existsSync(localStorage) && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      processes = [browser.pid, ...(await descendantsOf(browser.pid))];
      expect(processes.length).toBeGreaterThan(3);
      process.kill(browser.pid, "SIGKILL");
      await browser.close();
      expect(existsSync(profileRoot)).toBe(false);
      expect(processes.filter(isRunning)).toEqual([]);
    } finally {
      for (const pid of processes.filter(isRunning)) process.kill(pid, "SIGKILL");
    }
  }, 60_000);
});
