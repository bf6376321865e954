import { WebrunError } from "@webrun/errors";
import type { RouteSpec } from "../route.js";

/**
 * The legacy `/profiles…` routes: every `/environments…` route again under
 * `/profiles`, answering with the profile names — `profile`/`profiles` for
 * `environment`/`environments`, `profileId` for `environmentId`, and
 * "Profile" for "Environment" in messages (`Profile not found`,
 * `Profile name is required`, `Maximum of 20 profiles allowed`). Codes,
 * statuses and everything else are the environment routes' own.
 */
export function profileAliases(routes: readonly RouteSpec[]): RouteSpec[] {
  return routes
    .filter((route) => route.url === "/environments" || route.url.startsWith("/environments/"))
    .map((route) => ({
      ...route,
      url: route.url.replace(/^\/environments/, "/profiles"),
      summary: `${route.summary} (legacy profile names)`,
      tags: ["profiles (legacy)"],
      // Same answers with renamed fields: described in words rather than with the environment schemas.
      responses: Object.fromEntries(
        Object.entries(route.responses).map(([status, response]) => [
          status,
          { description: `${response.description} (profile names)` },
        ]),
      ),
      mapError: toProfileError,
      handler: async (context) => {
        const result = await route.handler(context);
        return result === context.reply ? result : toProfileNames(result);
      },
    }));
}

const renamedKeys: Readonly<Record<string, string>> = {
  environment: "profile",
  environments: "profiles",
  environmentId: "profileId",
};

function toProfileNames(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(toProfileNames);
  if (typeof body !== "object" || body === null) return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [
      renamedKeys[key] ?? key,
      key === "message" && typeof value === "string" ? toProfileWords(value) : toProfileNames(value),
    ]),
  );
}

function toProfileWords(message: string): string {
  return message
    .replace(/\bEnvironment\b/g, "Profile")
    .replace(/\benvironments\b/g, "profiles")
    .replace(/\benvironment\b/g, "profile");
}

function toProfileError(error: WebrunError): WebrunError {
  return new WebrunError({
    kind: error.kind,
    code: error.code,
    message: toProfileWords(error.message),
    issues: error.issues.map((issue) => ({ ...issue, message: toProfileWords(issue.message) })),
    details: error.details,
    cause: error,
  });
}
