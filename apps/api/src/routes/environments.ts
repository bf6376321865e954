import {
  environmentAnswerSchema,
  environmentCreatedAnswerSchema,
  environmentDeletedAnswerSchema,
  environmentDetailAnswerSchema,
  environmentInputSchema,
  environmentListAnswerSchema,
  environmentParamsSchema,
  environmentUpdateSchema,
  errorAnswerSchema,
} from "@webrun/api-contract";
import { callerOf, environmentNotFound, type RouteDeps, unauthorized, type ZodApp } from "./common.js";

/**
 * Environment CRUD. Bodies are validated with the contract's schemas, whose
 * messages are the contract's (`Environment name is required`).
 */
export function environmentRoutes(app: ZodApp, { services }: RouteDeps): void {
  const { environments, files } = services;
  const tags = ["environments"];

  app.post("/environments", {
    schema: {
      summary: "Create an environment",
      tags,
      body: environmentInputSchema,
      response: {
        201: environmentCreatedAnswerSchema.describe("Created"),
        400: errorAnswerSchema.describe(
          "`Environment name is required` or `Maximum of 20 environments allowed`",
        ),
        401: unauthorized,
      },
    },
    handler: async (request, reply) => {
      const environment = await environments.create(callerOf(request), request.body);
      void reply.status(201);
      return { success: true as const, message: "Environment created" as const, environment };
    },
  });

  app.get("/environments", {
    schema: {
      summary: "List environments, newest first",
      tags,
      response: { 200: environmentListAnswerSchema.describe("The caller's environments"), 401: unauthorized },
    },
    handler: async (request) => ({
      success: true as const,
      environments: await environments.list(callerOf(request)),
    }),
  });

  app.get("/environments/:id", {
    schema: {
      summary: "An environment with what it holds (from the summaries stored at save time)",
      tags,
      params: environmentParamsSchema,
      response: {
        200: environmentDetailAnswerSchema.describe("The record, its files and kept versions"),
        401: unauthorized,
        404: environmentNotFound,
      },
    },
    handler: async (request) => {
      const userId = callerOf(request);
      const { id } = request.params;
      // One read of the record answers for the environment, its versions and its existence.
      const { environment, versions } = await environments.describe(userId, id);
      const attached = await files.attachedFiles(userId, id);
      return { success: true as const, environment, files: attached, versions };
    },
  });

  app.patch("/environments/:id", {
    schema: {
      summary: "Rename or re-describe an environment",
      tags,
      params: environmentParamsSchema,
      body: environmentUpdateSchema,
      response: {
        200: environmentAnswerSchema.describe("Updated"),
        400: errorAnswerSchema.describe("Invalid name or description"),
        401: unauthorized,
        404: environmentNotFound,
      },
    },
    handler: async (request) => ({
      success: true as const,
      environment: await environments.update(callerOf(request), request.params.id, request.body),
    }),
  });

  app.delete("/environments/:id", {
    schema: {
      summary: "Delete an environment, its browser data and all its files",
      tags,
      params: environmentParamsSchema,
      response: {
        200: environmentDeletedAnswerSchema.describe("Deleted"),
        401: unauthorized,
        404: environmentNotFound,
      },
    },
    handler: async (request) => {
      const userId = callerOf(request);
      // The environment first: from then on it reads as gone, and its files go with it.
      await environments.delete(userId, request.params.id);
      await files.deleteEnvironmentFiles(userId, request.params.id);
      return { success: true as const, message: "Environment deleted" as const };
    },
  });
}
