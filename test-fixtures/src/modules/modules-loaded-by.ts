import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Runs in a fresh Node process: imports each entry named on the command line
 * and prints, as one JSON array, every module file that loaded — ESM through a
 * resolve hook (which sees every `import`, CommonJS packages included) and
 * CommonJS through `require.cache` (requires made inside CommonJS code, which
 * the hook does not see on Node 20).
 */
const lister = `
import { createRequire, register } from "node:module";
import { MessageChannel } from "node:worker_threads";
const hooks = \`
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}\`;
const { port1, port2 } = new MessageChannel();
const resolved = [];
const sentinel = "data:text/javascript,export{}";
const drained = new Promise((done) => {
  port1.on("message", (url) => (url === sentinel ? done() : resolved.push(url)));
});
register("data:text/javascript," + encodeURIComponent(hooks), { data: { port: port2 }, transferList: [port2] });
for (const entry of process.argv.slice(1)) await import(entry);
// Messages on one port arrive in order: once the sentinel's resolution is seen, every earlier one was.
await import(sentinel);
await drained;
port1.close();
const required = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify([...resolved.filter((url) => url.startsWith("file:")), ...required]));
`;

/**
 * Every module file a fresh Node process loads while importing `entries`, as
 * resolved from `cwd` (a package's folder, so it can import itself by name):
 * the check that a package does not load what it does not use.
 */
export async function modulesLoadedBy(entries: readonly string[], cwd: string): Promise<string[]> {
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", lister, ...entries], { cwd });
  return JSON.parse(stdout) as string[];
}
