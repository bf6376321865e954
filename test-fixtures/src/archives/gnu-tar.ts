import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Makes `archive` (.tar.gz) of a directory's contents with GNU tar, as a user would. */
export async function tarCzf(archive: string, directory: string): Promise<void> {
  await run("tar", ["czf", archive, "-C", directory, "."]);
}
