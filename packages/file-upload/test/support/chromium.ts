import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import CDP from "chrome-remote-interface";

/** A headless Chromium (Debian's /usr/bin/chromium or CHROME_PATH) with one page driven over CDP. */
export interface Browser {
  client: CDP.Client;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "file-upload-chromium-"));
  const child: ChildProcess = spawn(
    process.env.CHROME_PATH ?? "/usr/bin/chromium",
    [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    { stdio: "ignore" },
  );
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    await rm(profile, { recursive: true, force: true });
  };
  try {
    const port = await waitForDevToolsPort(profile);
    const targets = await CDP.List({ port });
    const page = targets.find((target) => target.type === "page");
    if (!page) throw new Error("Chromium opened no page");
    const client = await CDP({ port, target: page.id });
    return {
      client,
      close: async () => {
        await client.close().catch(() => {});
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

async function waitForDevToolsPort(profile: string): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const text = await readFile(join(profile, "DevToolsActivePort"), "utf8").catch(() => "");
    const port = Number(text.split("\n")[0]);
    if (port > 0) return port;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("Chromium did not open its DevTools port within 20 s");
}

/**
 * Opens the server's HTML upload form, fills environmentId, picks `paths` in
 * the file input with DOM.setFileInputFiles, submits, and returns the text
 * of the page the server answered with.
 */
export async function submitUploadForm(
  browser: Browser,
  formUrl: string,
  environmentId: string,
  paths: string[],
): Promise<string> {
  const { Page, DOM, Runtime } = browser.client;
  await Page.enable();
  await Promise.all([Page.loadEventFired(), Page.navigate({ url: formUrl })]);
  await Runtime.evaluate({
    expression: `document.getElementById("environmentId").value = ${JSON.stringify(environmentId)}`,
  });
  const { root } = await DOM.getDocument({});
  const { nodeId } = await DOM.querySelector({ nodeId: root.nodeId, selector: "#files" });
  if (paths.length > 0) await DOM.setFileInputFiles({ nodeId, files: paths });
  await Promise.all([
    Page.loadEventFired(),
    Runtime.evaluate({ expression: `document.getElementById("upload").submit()` }),
  ]);
  const { result } = await Runtime.evaluate({ expression: "document.body.innerText", returnByValue: true });
  return String(result.value);
}
