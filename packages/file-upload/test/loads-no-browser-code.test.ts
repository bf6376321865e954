import { fileURLToPath } from "node:url";
import { modulesLoadedBy } from "@webrun/test-fixtures";
import { expect, it } from "vitest";

/** Browser code storage must never load: the CDP client, the leveldb binding, and the package holding both. */
const browserCode = /[/\\](chrome-remote-interface|classic-level|browser-state)[/\\]/;

it("importing @webrun/file-upload (its built dist) loads no browser code", async () => {
  const loaded = await modulesLoadedBy("@webrun/file-upload", {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  // The lister sees both kinds of module: ESM files of ours, and CommonJS required inside a CommonJS package.
  expect(loaded.some((file) => /file-upload[/\\]dist[/\\]index\.js$/.test(file))).toBe(true);
  expect(loaded.some((file) => /busboy[/\\]lib[/\\]/.test(file))).toBe(true);
  expect(loaded.filter((file) => browserCode.test(file))).toEqual([]);
});
