// One of several processes sharing an fs BlobStore root, run by fs-processes.test.ts with the driver module to load.
// It prints "ready", waits for "go" on stdin so all workers start together, then races and prints JSON.

import { createInterface } from "node:readline";
import { Readable } from "node:stream";

const [driverModule, root, mode, key, id, count] = process.argv.slice(2);
const { createFsBlobStore } = await import(driverModule);
const store = await createFsBlobStore({ root });

async function increment() {
  for (let attempt = 1; ; attempt++) {
    const head = await store.head(key);
    const object = await store.get(key);
    const chunks = [];
    for await (const chunk of object.body) chunks.push(chunk);
    const value = Number(Buffer.concat(chunks).toString());
    try {
      await store.put(key, String(value + 1), { ifMatch: object.etag });
      return attempt;
    } catch (error) {
      if (error.code !== "BLOB_PRECONDITION_FAILED" || !head) throw error;
    }
  }
}

process.stdout.write("ready\n");
await new Promise((resolve) => createInterface({ input: process.stdin }).once("line", resolve));

if (mode === "create") {
  try {
    await store.put(key, id, { ifNoneMatch: "*" });
    process.stdout.write(`${JSON.stringify({ won: true })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ won: false, code: error.code })}\n`);
  }
} else if (mode === "count") {
  // Two loops per process: the in-process mutex and the cross-process lock are both exercised.
  const loops = Array.from({ length: 2 }, async () => {
    let attempts = 0;
    for (let i = 0; i < Number(count) / 2; i++) attempts += await increment();
    return attempts;
  });
  const attempts = (await Promise.all(loops)).reduce((a, b) => a + b, 0);
  process.stdout.write(`${JSON.stringify({ attempts })}\n`);
} else if (mode === "hang") {
  // Starts a write whose body never ends; the test kills us mid-write.
  const body = new Readable({ read() {} });
  body.push(Buffer.alloc(1024 * 1024, 1));
  void store.put(key, body);
  setTimeout(() => process.stdout.write(`${JSON.stringify({ writing: true })}\n`), 200);
  setInterval(() => {}, 1000);
}
