// Module resolution hooks (node --import, see entry-points.test.ts): append every URL that is resolved to the
// file WEBRUN_RESOLVE_LOG names, so a test can see which packages an import loads.
import { appendFileSync } from "node:fs";

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.WEBRUN_RESOLVE_LOG, `${resolved.url}\n`);
  return resolved;
}
