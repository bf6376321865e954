import { fileURLToPath } from "node:url";
import { modulesLoadedBy } from "@webrun/test-fixtures";
import { expect, it } from "vitest";

/** Browser code storage must never load: the CDP client, the leveldb binding, and the package holding both. */
const browserCode = /[/\\](chrome-remote-interface|classic-level|browser-state)[/\\]/;

it("importing @webrun/env-store (its built dist) loads no browser code and no S3 client", async () => {
  const loaded = await modulesLoadedBy("@webrun/env-store", {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  expect(loaded.some((file) => /env-store[/\\]dist[/\\]index\.js$/.test(file))).toBe(true);
  expect(loaded.some((file) => /tar-stream[/\\]/.test(file))).toBe(true);
  expect(loaded.filter((file) => browserCode.test(file) || file.includes("/@aws-sdk/"))).toEqual([]);
});
