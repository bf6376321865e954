import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import ts from "typescript";

const sourceRoot = join(import.meta.dirname, "../src");

/**
 * Transpiles the BlobStore sources to plain ESM for child processes, which
 * can't load TypeScript themselves: the race workers then run the code under
 * test, not a possibly stale dist/. The output lives under node_modules so its
 * bare imports (@webrun/errors) resolve; returns its directory.
 */
export async function transpileBlobStoreForWorkers(): Promise<string> {
  const cache = join(import.meta.dirname, "../node_modules/.webrun-test");
  await mkdir(cache, { recursive: true });
  const out = await mkdtemp(join(cache, "blob-store-"));
  for (const entry of await readdir(sourceRoot, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts")) continue;
    const source = join(entry.parentPath, entry.name);
    const { outputText } = ts.transpileModule(await readFile(source, "utf8"), {
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        verbatimModuleSyntax: true,
      },
    });
    const target = join(out, relative(sourceRoot, source).replace(/\.ts$/, ".js"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, outputText);
  }
  return out;
}
