import {
  profileAnswerSchema,
  profileBrowserDataUploadedAnswerSchema,
  profileCreatedAnswerSchema,
  profileDeletedAnswerSchema,
  profileDetailAnswerSchema,
  profileListAnswerSchema,
  profileMergedSaveAnswerSchema,
  profileSavedVersionAnswerSchema,
} from "@webrun/api-contract";
import { WebrunError } from "@webrun/errors";
import type { FastifyInstance, RouteHandlerMethod, RouteOptions } from "fastify";
import { z } from "zod";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A legacy `/profiles…` alias: its error messages say "Profile" (see {@link toProfileError}). */
    legacyProfile?: boolean;
  }
}

type Answer = Record<string, unknown>;

/** How one alias answers: its success status, the schema of that answer, and the renaming of its top-level fields. */
interface ProfileAnswer {
  status: number;
  schema: z.ZodType;
  rename(answer: Answer): Answer;
}

const withProfile = ({ environment, ...rest }: Answer): Answer => ({ ...rest, profile: environment });

/**
 * Every `/environments…` route and what its `/profiles…` alias answers. Only
 * the named top-level fields and the route's own message change; records,
 * file lists and state documents pass through untouched (a user's data may
 * well hold an `environmentId`). `same`: the answer has no environment names.
 */
const profileAnswers: Readonly<Record<string, ProfileAnswer | "same">> = {
  "POST /environments": {
    status: 201,
    schema: profileCreatedAnswerSchema,
    rename: ({ environment, ...rest }) => ({ ...rest, message: "Profile created", profile: environment }),
  },
  "GET /environments": {
    status: 200,
    schema: profileListAnswerSchema,
    rename: ({ environments, ...rest }) => ({ ...rest, profiles: environments }),
  },
  "GET /environments/:id": { status: 200, schema: profileDetailAnswerSchema, rename: withProfile },
  "PATCH /environments/:id": { status: 200, schema: profileAnswerSchema, rename: withProfile },
  "DELETE /environments/:id": {
    status: 200,
    schema: profileDeletedAnswerSchema,
    rename: (answer) => ({ ...answer, message: "Profile deleted" }),
  },
  "GET /environments/:id/files": "same",
  "DELETE /environments/:id/files/:fileId": "same",
  "POST /environments/:id/profile": {
    status: 200,
    schema: profileBrowserDataUploadedAnswerSchema,
    rename: withProfile,
  },
  "GET /environments/:id/profile/download": "same",
  "PUT /environments/:id/state": {
    status: 200,
    schema: z.union([profileSavedVersionAnswerSchema, profileMergedSaveAnswerSchema]),
    rename: withProfile,
  },
  "GET /environments/:id/state": "same",
  "GET /environments/:id/versions": "same",
  "GET /environments/:id/versions/:from/diff/:to": "same",
  "POST /environments/:id/versions/:version/restore": {
    status: 200,
    schema: profileSavedVersionAnswerSchema,
    rename: withProfile,
  },
};

/**
 * The legacy `/profiles…` routes: every `/environments…` route again under
 * `/profiles`, with the profile names. Call before the environment routes
 * are added (it watches them), then `register()` after.
 */
export function watchForProfileAliases(app: FastifyInstance): { register(): void } {
  const seen: RouteOptions[] = [];
  app.addHook("onRoute", (route) => {
    const isEnvironmentRoute = route.url === "/environments" || route.url.startsWith("/environments/");
    if (isEnvironmentRoute && route.method !== "HEAD" && !route.config?.legacyProfile) seen.push(route);
  });
  return {
    register() {
      for (const route of seen) app.route(profileAlias(route));
    },
  };
}

function profileAlias(route: RouteOptions): RouteOptions {
  const key = `${String(route.method)} ${route.url}`;
  const answer = profileAnswers[key];
  if (answer === undefined) throw new Error(`no /profiles answer is defined for ${key}`);
  const handler = route.handler;
  const renamed: RouteHandlerMethod = async function (this: FastifyInstance, request, reply) {
    const result: unknown = await handler.call(this, request, reply);
    return answer === "same" || result === reply ? result : answer.rename(result as Answer);
  };
  const schema = route.schema ?? {};
  return {
    method: route.method,
    url: route.url.replace(/^\/environments/, "/profiles"),
    ...(route.bodyLimit ? { bodyLimit: route.bodyLimit } : {}),
    ...(route.onRequest ? { onRequest: route.onRequest } : {}),
    config: { ...route.config, legacyProfile: true },
    schema: {
      ...schema,
      summary: `${schema.summary ?? key} (legacy profile names)`,
      tags: ["profiles (legacy)"],
      response: {
        ...(schema.response as Record<number, unknown>),
        ...(answer === "same" ? {} : { [answer.status]: answer.schema }),
      },
    },
    handler: renamed,
  };
}

/** An environment route's own wording, said of profiles (`Profile not found`, `Profile name is required`). */
export function toProfileError(error: WebrunError): WebrunError {
  return new WebrunError({
    kind: error.kind,
    code: error.code,
    message: toProfileWords(error.message),
    issues: error.issues.map((issue) => ({ ...issue, message: toProfileWords(issue.message) })),
    details: error.details,
    cause: error,
  });
}

function toProfileWords(message: string): string {
  return message
    .replace(/\bEnvironment\b/g, "Profile")
    .replace(/\benvironments\b/g, "profiles")
    .replace(/\benvironment\b/g, "profile");
}
