import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Runs in a fresh Node process: imports the entry named on the command line,
 * runs the script after it (with the entry's exports as `m`) and prints, as
 * one JSON array, every module file that loaded — ESM through a
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
const m = await import(process.argv[1]);
await new Function("m", "return (async () => {" + process.argv[2] + "})()")(m);
// Messages on one port arrive in order: once the sentinel's resolution is seen, every earlier one was.
await import(sentinel);
await drained;
port1.close();
const required = Object.keys(createRequire(import.meta.url).cache);
process.stdout.write(JSON.stringify([...resolved.filter((url) => url.startsWith("file:")), ...required]));
`;

/**
 * Every module file (ESM URLs and CommonJS paths) a fresh Node process loads
 * while importing `entry` as resolved from `cwd` (a package's folder, so it
 * can import itself by name) and then running `script`, which sees the
 * entry's exports as `m`: the check that a package does not load what it
 * does not use.
 */
export async function modulesLoadedBy(
  entry: string,
  options: { cwd: string; script?: string },
): Promise<string[]> {
  const { stdout } = await run(
    process.execPath,
    ["--input-type=module", "-e", lister, entry, options.script ?? ""],
    {
      cwd: options.cwd,
    },
  );
  return JSON.parse(stdout) as string[];
}
