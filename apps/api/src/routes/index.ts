import type { RouteSpec } from "../route.js";
import { browserDataRoutes } from "./browser-data.js";
import type { RouteDeps } from "./common.js";
import { environmentRoutes } from "./environments.js";
import { fileRoutes } from "./files.js";
import { healthRoutes } from "./health.js";
import { profileAliases } from "./profiles.js";
import { stateRoutes } from "./state.js";

/** Every route of the API, legacy `/profiles` aliases included. */
export function allRoutes(deps: RouteDeps, openApiDocument: () => unknown): RouteSpec[] {
  const resources = [
    ...environmentRoutes(deps),
    ...fileRoutes(deps),
    ...browserDataRoutes(deps),
    ...stateRoutes(deps),
  ];
  return [...healthRoutes(deps, openApiDocument), ...resources, ...profileAliases(resources)];
}
