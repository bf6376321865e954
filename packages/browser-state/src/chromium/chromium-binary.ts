import { type ExecFileException, execFile } from "node:child_process";
import { browserStateError } from "../errors.js";

/** What Chromium-based browsers print for `--version` ("Chromium 156.0…", "Google Chrome 131.0…", "Microsoft Edge …"). */
const chromiumVersionLine =
  /\b(Chromium|Google Chrome|Microsoft Edge|Brave Browser|Opera|Vivaldi)\b[^\n]*\b\d+\.\d+\.\d+/;

/**
 * Checks that `file` is a Chromium-based browser before a profile is handed
 * to it, and resolves to its version line. Runs `file --version`, which
 * such browsers answer without opening a window. Windows builds print
 * nothing for it, so there the check is left to the launch (a binary that
 * opens no DevTools endpoint fails it).
 */
export async function checkChromiumBinary(
  file: string,
  platform: NodeJS.Platform = process.platform,
): Promise<string | undefined> {
  if (platform === "win32") return undefined;
  const output = await new Promise<string>((resolve, reject) => {
    execFile(file, ["--version"], { timeout: 10_000, killSignal: "SIGKILL" }, (error, stdout) => {
      if (error) reject(error);
      else resolve(stdout);
    });
  }).catch((error: ExecFileException) => {
    const reason =
      error.code === "ENOENT"
        ? "no such file"
        : error.code === "EACCES"
          ? "not executable"
          : `\`--version\` failed (${error.killed ? "timed out" : `exit ${String(error.code)}`})`;
    throw notChromium(`cannot run ${file}: ${reason}`, error);
  });
  const line = chromiumVersionLine.exec(output)?.[0];
  if (line === undefined) {
    throw notChromium(
      `${file} is not a Chromium-based browser (Chrome, Chromium, Edge, Brave…): its \`--version\` says ${JSON.stringify(output.trim().slice(0, 100))}`,
    );
  }
  return line;
}

function notChromium(message: string, cause?: unknown) {
  return browserStateError({ kind: "invalid_input", code: "BROWSER_NOT_CHROMIUM", message, cause });
}
