import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import type { LoadedVersion } from "@webrun/env-store";
import { sessionError } from "../errors.js";

/**
 * Writes a version's raw profile files (an uploaded Chrome profile) into
 * `dir`, the template a seeded launch copies before seeding the state over
 * it. Paths were checked when the profile was ingested; a path that would
 * leave `dir` anyway is refused rather than written.
 */
export async function writeProfileFiles(version: LoadedVersion, dir: string): Promise<void> {
  for (const file of version.profileFiles) {
    const target = path.resolve(dir, ...file.path.split("/"));
    if (!target.startsWith(`${path.resolve(dir)}${path.sep}`)) {
      throw sessionError({
        kind: "integrity",
        code: "PROFILE_PATH_INVALID",
        message: `version ${version.version} lists a profile file outside the profile: ${JSON.stringify(file.path)}`,
      });
    }
    await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
    await pipeline(await version.openProfileFile(file.path), createWriteStream(target, { mode: 0o600 }));
  }
}
