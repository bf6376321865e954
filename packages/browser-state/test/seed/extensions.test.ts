import { createHash } from "node:crypto";
import { type ExtensionState, emptyBrowserState } from "@webrun/state";
import { describe, expect, it } from "vitest";
import { evaluateInSession } from "../../src/cdp/evaluate.js";
import { inExtensionWorker } from "../../src/cdp/extension-worker.js";
import { type CdpConnection, connectCdp, launchSeeded, teardownCapture } from "../../src/index.js";

function inlineFile(path: string, text: string) {
  const bytes = Buffer.from(text);
  return {
    path,
    size: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    contentBase64: bytes.toString("base64"),
  };
}

/** A keyless MV3 extension, inline, whose storage says which session last wrote it. */
function keylessExtension(): ExtensionState {
  const manifest = {
    manifest_version: 3,
    name: "Keyless seed test",
    version: "1.0",
    background: { service_worker: "sw.js" },
    permissions: ["storage"],
  };
  return {
    id: "abcdefghijklmnopabcdefghijklmnop",
    name: manifest.name,
    version: manifest.version,
    manifest,
    enabled: true,
    files: [inlineFile("manifest.json", JSON.stringify(manifest)), inlineFile("sw.js", "self.ready = true;")],
    storage: { local: { session: "first" }, sync: {} },
  };
}

/** What the extension itself reads from `chrome.storage.local`, once its worker has started. */
async function workerStorage(connection: CdpConnection, extensionId: string): Promise<unknown> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const stored = await inExtensionWorker(connection, extensionId, (sessionId) =>
      evaluateInSession(connection, sessionId, "chrome.storage.local.get(null)"),
    );
    if (stored !== undefined) return stored;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`extension ${extensionId} has no worker`);
}

describe("seeded extensions", () => {
  it("keep their storage and, once seeded, one id across sessions", async () => {
    const state = { ...emptyBrowserState(), extensions: [keylessExtension()] };
    const second = await launchSeeded(state);
    const id = second.extensionIds.get("abcdefghijklmnopabcdefghijklmnop") as string;
    expect(id).toMatch(/^[a-p]{32}$/);
    const connection = await connectCdp(second.cdpUrl);
    expect(await workerStorage(connection, id)).toEqual({ session: "first" });
    await connection.close();

    const { state: carried } = await teardownCapture(second, { inlineExtensionFiles: true });
    expect(carried.extensions.map((extension) => extension.id)).toEqual([id]);
    expect(typeof carried.extensions[0]?.manifest.key).toBe("string");

    const third = await launchSeeded(carried);
    try {
      expect(third.extensionIds.get(id)).toBe(id);
      const again = await connectCdp(third.cdpUrl);
      expect(carried.extensions[0]?.storage.local).toEqual({ session: "first" });
      expect(await workerStorage(again, id)).toEqual({ session: "first" });
      await again.close();
    } finally {
      await third.close();
    }
  }, 60_000);
});
