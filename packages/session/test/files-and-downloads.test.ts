import { stat } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import { readAll } from "@webrun/blob-store";
import { connectCdp } from "@webrun/browser-state";
import { describe, expect, it } from "vitest";
import type { Session } from "../src/index.js";
import { evaluateAt, leftIn, userId, useSessionWorld } from "./support/session-world.js";

/** A server whose one download never finishes: it sends a part and keeps the response open. */
async function startEndlessDownload(): Promise<{ url: string; stop(): Promise<void> }> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-disposition": 'attachment; filename="endless.bin"',
      "content-length": String(10 * 1024 * 1024),
    });
    response.write(Buffer.alloc(64 * 1024));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/endless.bin`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Sets a page's file input to `file` over CDP (what an automation does) and reads the file back in the page. */
async function chooseFileInPage(session: Session, file: string): Promise<{ name: string; text: string }> {
  const connection = await connectCdp(session.cdpUrl);
  try {
    const { sessionId } = await connection.send("Target.attachToTarget", {
      targetId: session.pageTargetId,
      flatten: true,
    });
    const { result } = await connection.send(
      "Runtime.evaluate",
      {
        expression: `(() => { const input = document.createElement("input"); input.type = "file";
document.body.append(input); return input; })()`,
      },
      sessionId,
    );
    await connection.send("DOM.setFileInputFiles", { files: [file], objectId: result.objectId }, sessionId);
    const read = await connection.send(
      "Runtime.callFunctionOn",
      {
        objectId: result.objectId,
        functionDeclaration:
          "async function () { return { name: this.files[0].name, text: await this.files[0].text() }; }",
        awaitPromise: true,
        returnByValue: true,
      },
      sessionId,
    );
    return read.result.value;
  } finally {
    await connection.close();
  }
}

/** Starts a download of `content` named `name` from page script (a blob link, like an app's "export"). */
const downloadFromPage = (name: string, content: string) =>
  `(() => { const link = document.createElement("a");
link.href = URL.createObjectURL(new Blob([${JSON.stringify(content)}], { type: "text/plain" }));
link.download = ${JSON.stringify(name)}; document.body.append(link); link.click(); return true; })()`;

async function waitForFiles(dir: string, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await leftIn(dir)).length < count) {
    if (Date.now() > deadline)
      throw new Error(`${dir} holds ${(await leftIn(dir)).length} of ${count} downloads`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("files in the session", () => {
  const world = useSessionWorld();

  it("materialises the environment's files read-only under unique names, usable by a file input; uploads finished downloads", async () => {
    const envId = await world.createEnvironment("files");
    const store = (name: string, text: string) =>
      world.files.storeFile(userId, { name, body: Readable.from([Buffer.from(text)]), environmentId: envId });
    await store("report.pdf", "first report");
    await store("report.pdf", "second report");
    await store("notes.txt", "stored notes");

    const session = await world.open(envId);
    expect(session.seeded.files).toBe(3);
    expect((await leftIn(session.filesDir)).sort()).toEqual(["notes.txt", "report (2).pdf", "report.pdf"]);
    expect((await stat(session.filesDir)).mode & 0o777).toBe(0o500);
    for (const name of await leftIn(session.filesDir))
      expect((await stat(path.join(session.filesDir, name))).mode & 0o777).toBe(0o400);

    await evaluateAt(session, `${world.sites.origins.notes}/login`, "true");
    expect(await chooseFileInPage(session, path.join(session.filesDir, "report (2).pdf"))).toEqual({
      name: "report (2).pdf",
      text: "second report",
    });

    await evaluateAt(
      session,
      `${world.sites.origins.notes}/login`,
      downloadFromPage("export.csv", "a,b\n1,2\n"),
    );
    // Same name as a stored file: uploaded under a unique one.
    await evaluateAt(
      session,
      `${world.sites.origins.notes}/login`,
      downloadFromPage("notes.txt", "downloaded notes"),
    );
    await waitForFiles(session.downloadsDir, 2);
    const endless = await startEndlessDownload();
    try {
      await evaluateAt(session, `${world.sites.origins.notes}/login`, "true");
      await evaluateAt(
        session,
        `${world.sites.origins.notes}/login`,
        `location.href = ${JSON.stringify(endless.url)}, true`,
      );
      await waitForFiles(session.downloadsDir, 3);
      const receipt = await session.close();
      expect(receipt.files.map((file) => [file.originalName, file.size])).toEqual([
        ["export.csv", 8],
        ["notes (2).txt", 16],
      ]);
      expect(receipt.notUploaded).toEqual([
        { name: "endless.bin", code: "IN_PROGRESS", message: "still downloading when the session closed" },
      ]);
      const listed = await world.files.listEnvironmentFiles(userId, envId);
      expect(listed.map((file) => file.originalName)).toEqual([
        "report.pdf",
        "report.pdf",
        "notes.txt",
        "export.csv",
        "notes (2).txt",
      ]);
      const uploaded = receipt.files[1]?.fileId as string;
      const body = (await world.files.openFileDownload(userId, uploaded)).body;
      expect((await readAll(body)).toString()).toBe("downloaded notes");
    } finally {
      await endless.stop();
    }
    expect(await leftIn(world.tempDir)).toEqual([]);
  });

  it("a session closed with save: false uploads no download", async () => {
    const envId = await world.createEnvironment("discard");
    const session = await world.open(envId);
    await evaluateAt(session, `${world.sites.origins.notes}/login`, downloadFromPage("kept-local.txt", "x"));
    await waitForFiles(session.downloadsDir, 1);
    const receipt = await session.close({ save: false });
    expect(receipt).toMatchObject({
      saved: null,
      files: [],
      notUploaded: [{ name: "kept-local.txt", code: "DISCARDED" }],
    });
    expect(await world.files.listEnvironmentFiles(userId, envId)).toEqual([]);
    expect((await world.environments.get(userId, envId)).version).toBeNull();
    expect(await leftIn(world.tempDir)).toEqual([]);
  });
});
