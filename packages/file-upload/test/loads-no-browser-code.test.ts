import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);
const lister = fileURLToPath(new URL("./support/loaded-modules.mjs", import.meta.url));

/** Browser code storage must never load: the CDP client, the leveldb binding, and the package holding both. */
const browserCode = /[/\\](chrome-remote-interface|classic-level|browser-state)[/\\]/;

it("importing @webrun/env-store and @webrun/file-upload (their built dist) loads no browser code", async () => {
  const { stdout } = await run(process.execPath, [lister, "@webrun/env-store", "@webrun/file-upload"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  const loaded = JSON.parse(stdout) as string[];
  // The lister sees both kinds of module: ESM files of ours, and CommonJS required inside a CommonJS package.
  expect(loaded.some((file) => /env-store[/\\]dist[/\\]index\.js$/.test(file))).toBe(true);
  expect(loaded.some((file) => /busboy[/\\]lib[/\\]/.test(file))).toBe(true);
  expect(loaded.filter((file) => browserCode.test(file))).toEqual([]);
});
