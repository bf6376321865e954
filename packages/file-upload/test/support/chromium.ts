import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchTestChromium } from "@webrun/test-fixtures";
import CDP from "chrome-remote-interface";

/** A headless test Chromium (Debian's /usr/bin/chromium or CHROME_PATH) with one page driven over CDP. */
export interface Browser {
  client: CDP.Client;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "file-upload-chromium-"));
  const removeProfile = () => rm(profile, { recursive: true, force: true });
  const chromium = await launchTestChromium(profile).catch(async (error: unknown) => {
    await removeProfile();
    throw error;
  });
  const close = async () => {
    await chromium.close();
    await removeProfile();
  };
  try {
    const targets = await CDP.List({ port: chromium.port });
    const page = targets.find((target) => target.type === "page");
    if (!page) throw new Error("Chromium opened no page");
    const client = await CDP({ port: chromium.port, target: page.id });
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
