import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root: the built apps run from here, as a user runs them. */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
/** `webrun-env`, built. */
export const cliMain = path.join(repoRoot, "apps", "cli", "dist", "main.js");
/** The API server, built. */
export const apiMain = path.join(repoRoot, "apps", "api", "dist", "main.js");

/**
 * Vitest global setup: turbo builds the apps before this package's tests
 * (turbo.json); a run outside turbo is told to build them rather than
 * failing on a confusing module error in every suite.
 */
export default function assertAppsBuilt(): void {
  const missing = [cliMain, apiMain].filter((file) => !existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} missing: run pnpm exec turbo run build --filter=@webrun/cli --filter=@webrun/api first`,
    );
  }
}
