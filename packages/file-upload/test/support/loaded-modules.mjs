/**
 * Imports the packages named on the command line in this fresh process and
 * prints, as one JSON array, every module file it loaded: ESM through a
 * resolve hook (`module.register`, which sees every `import`, including of
 * CommonJS packages) and CommonJS through `require.cache` (requires made
 * inside CommonJS code, which the hook does not see on Node 20).
 */
import { createRequire, register } from "node:module";
import { MessageChannel } from "node:worker_threads";

const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}`;
const { port1, port2 } = new MessageChannel();
const resolved = [];
const sentinel = "data:text/javascript,export{}";
const drained = new Promise((done) => {
  port1.on("message", (url) => (url === sentinel ? done() : resolved.push(url)));
});
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { port: port2 },
  transferList: [port2],
});

for (const specifier of process.argv.slice(2)) await import(specifier);
// Messages on one port arrive in order: once the sentinel's resolution is seen, every earlier one was.
await import(sentinel);
await drained;
port1.close();

const required = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify([...resolved.filter((url) => url.startsWith("file:")), ...required]));
