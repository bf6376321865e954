import { browserDataRoutes } from "./browser-data.js";
import type { RouteDeps, ZodApp } from "./common.js";
import { environmentRoutes } from "./environments.js";
import { fileRoutes } from "./files.js";
import { healthRoutes } from "./health.js";
import { watchForProfileAliases } from "./profiles.js";
import { stateRoutes } from "./state.js";

export { toProfileError } from "./profiles.js";

/** Every route of the API, legacy `/profiles` aliases included. */
export function registerRoutes(app: ZodApp, deps: RouteDeps): void {
  healthRoutes(app, deps);
  const aliases = watchForProfileAliases(app);
  environmentRoutes(app, deps);
  fileRoutes(app, deps);
  browserDataRoutes(app, deps);
  stateRoutes(app, deps);
  aliases.register();
}
