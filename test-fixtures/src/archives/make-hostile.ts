import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { hostileArchives } from "./hostile-archives.js";

/** Where the committed corpus lives: `test-fixtures/archives/hostile/`. */
export const hostileCorpusDir = fileURLToPath(new URL("../../archives/hostile/", import.meta.url));

/** Writes the hostile corpus to `dir` (the committed corpus by default). */
export async function writeHostileCorpus(dir = hostileCorpusDir): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const archives = hostileArchives();
  for (const archive of archives) await writeFile(path.join(dir, archive.file), archive.bytes);
  return archives.map((archive) => archive.file);
}

// `node test-fixtures/dist/archives/make-hostile.js` regenerates the committed corpus.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = await writeHostileCorpus();
  console.log(`wrote ${files.length} archives to ${hostileCorpusDir}`);
}
