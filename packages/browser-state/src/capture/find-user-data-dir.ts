import { existsSync } from "node:fs";
import path from "node:path";
import type { CdpConnection } from "../cdp/cdp-connection.js";
import { evaluateInSession } from "../cdp/evaluate.js";

/** Where the browser keeps its profile, when this machine can read it, and what was tried. */
export interface FoundUserDataDir {
  dir?: string;
  /** One line per place looked at, with why it did not do (for the capture's warning). */
  searched: string[];
}

const versionPageTimeoutMs = 5_000;

/** A user-data-dir this process can read: its default profile folder is there. */
function readable(dir: string): boolean {
  return existsSync(path.join(dir, "Default"));
}

/**
 * Finds the running browser's user-data-dir: from its command line
 * (`Browser.getBrowserCommandLine`, which answers only when
 * `--enable-automation` is on), else from the profile path its own
 * `chrome://version` page shows. Nothing is found when the browser runs
 * elsewhere (another machine or container) or the folder is not readable.
 */
export async function findUserDataDir(connection: CdpConnection): Promise<FoundUserDataDir> {
  const searched: string[] = [];
  const fromCommandLine = await connection.send("Browser.getBrowserCommandLine").then(
    ({ arguments: args }) => {
      const flag = args.find((arg) => arg.startsWith("--user-data-dir="));
      return flag === undefined ? "no --user-data-dir flag" : { dir: flag.slice("--user-data-dir=".length) };
    },
    (error: unknown) => {
      if (connection.isClosed) throw error;
      return "not available (the browser runs without --enable-automation)";
    },
  );
  if (typeof fromCommandLine !== "string") {
    if (readable(fromCommandLine.dir)) return { dir: fromCommandLine.dir, searched };
    searched.push(`Browser.getBrowserCommandLine: ${fromCommandLine.dir} is not readable here`);
  } else {
    searched.push(`Browser.getBrowserCommandLine: ${fromCommandLine}`);
  }
  const profilePath = await profilePathOfVersionPage(connection);
  if (profilePath === undefined) {
    searched.push("chrome://version: no profile path shown");
    return { searched };
  }
  // The page shows an error text instead when the folder is gone from where the browser runs.
  if (!path.isAbsolute(profilePath)) {
    searched.push(`chrome://version: the profile path shows as "${profilePath.slice(0, 100)}"`);
    return { searched };
  }
  const dir = path.dirname(profilePath);
  if (readable(dir)) return { dir, searched };
  searched.push(`chrome://version: ${profilePath} is not readable here`);
  return { searched };
}

/** The "Profile Path" of the browser's `chrome://version`, read in a background tab of our own. */
async function profilePathOfVersionPage(connection: CdpConnection): Promise<string | undefined> {
  let targetId: string;
  try {
    ({ targetId } = await connection.send("Target.createTarget", {
      url: "chrome://version",
      background: true,
    }));
  } catch (error) {
    if (connection.isClosed) throw error;
    return undefined; // the browser refuses to open internal pages for us
  }
  try {
    const { sessionId } = await connection.send("Target.attachToTarget", { targetId, flatten: true });
    const deadline = Date.now() + versionPageTimeoutMs;
    do {
      const text = await evaluateInSession<string | null>(
        connection,
        sessionId,
        `document.getElementById("profile_path")?.textContent ?? null`,
      ).catch((error: unknown) => {
        if (connection.isClosed) throw error;
        return null;
      });
      if (text) return text.trim();
      await new Promise((resolve) => setTimeout(resolve, 50));
    } while (Date.now() < deadline);
    return undefined;
  } finally {
    await connection.send("Target.closeTarget", { targetId }).catch(() => undefined);
  }
}
