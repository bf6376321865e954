import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type CdpConnection, inExtensionWorker } from "@webrun/browser-state";

import { cliMain } from "../support/built-apps.js";

/** The real, built CLI as a process: what a user runs. */
export const cli = cliMain;

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], stdin = "", env: NodeJS.ProcessEnv = process.env): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Starts the CLI and resolves with the process and its first stdout line. */
export function startCli(
  args: string[],
): Promise<{ child: ChildProcessWithoutNullStreams; firstLine: string; stderr: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      const newline = stdout.indexOf("\n");
      if (newline !== -1) resolve({ child, firstLine: stdout.slice(0, newline), stderr: () => stderr });
    });
    child.on("error", reject);
    child.on("close", (code) => reject(new Error(`the CLI exited (${code}) before printing: ${stderr}`)));
  });
}

/** A plain-HTTP site on 127.0.0.1: `/login` sets a session cookie; every request is recorded. */
export async function startPlainSite(): Promise<{
  origin: string;
  requests: { path: string; cookie: string }[];
  close(): Promise<void>;
}> {
  const requests: { path: string; cookie: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? "/", cookie: req.headers.cookie ?? "" });
    if (req.url === "/login") res.setHeader("Set-Cookie", ["sid=plain-1; Path=/; HttpOnly"]);
    res.setHeader("Content-Type", "text/html");
    res.end('<!doctype html><link rel="icon" href="data:,"><p>ok</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Attaches to a tab (a new one unless given), navigates and waits for load. */
export async function visit(connection: CdpConnection, url: string, targetId?: string): Promise<string> {
  const id = targetId ?? (await connection.send("Target.createTarget", { url: "about:blank" })).targetId;
  const { sessionId } = await connection.send("Target.attachToTarget", { targetId: id, flatten: true });
  await connection.send("Page.enable", {}, sessionId);
  const loaded = new Promise<void>((resolve) => {
    const off = connection.onEvent((event) => {
      if (event.method === "Page.loadEventFired" && event.sessionId === sessionId) {
        off();
        resolve();
      }
    });
  });
  await connection.send("Page.navigate", { url }, sessionId);
  await loaded;
  return sessionId;
}

/** Evaluates `expression` in the target; an exception it throws is thrown here, not returned as undefined. */
export async function evaluate<T>(
  connection: CdpConnection,
  sessionId: string,
  expression: string,
): Promise<T> {
  const { result, exceptionDetails } = await connection.send(
    "Runtime.evaluate",
    { expression, returnByValue: true, awaitPromise: true },
    sessionId,
  );
  if (exceptionDetails) {
    throw new Error(
      `${expression} threw: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`,
    );
  }
  return result.value as T;
}

/** Evaluates in the service worker of the installed extension named `name`, waiting for it to start. */
export async function evaluateInWorker(
  connection: CdpConnection,
  name: string,
  expression: string,
): Promise<unknown> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const { extensions } = await connection.send("Extensions.getExtensions");
    const id = (extensions as { id: string; name: string }[]).find(
      (extension) => extension.name === name,
    )?.id;
    if (id !== undefined) {
      const evaluated = await inExtensionWorker(connection, id, async (sessionId) => ({
        value: await evaluate(connection, sessionId, expression),
      }));
      if (evaluated) return evaluated.value;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no service worker for extension ${name}`);
}
