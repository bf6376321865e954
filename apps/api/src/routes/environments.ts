import { environmentInputSchema, environmentUpdateSchema } from "@webrun/env-store";
import { z } from "zod";
import { defineRoute } from "../route.js";
import {
  environmentParams,
  environmentSchema,
  errorSchema,
  fileSummarySchema,
  notFound,
  type RouteDeps,
  unauthorized,
  versionInfoSchema,
} from "./common.js";

/**
 * Environment CRUD. Bodies are validated with the store's own schemas, whose
 * messages are the contract's (`Environment name is required`), so that
 * wording lives in one place.
 */

export function environmentRoutes({ services }: RouteDeps) {
  const { environments, files } = services;
  return [
    defineRoute({
      method: "POST",
      url: "/environments",
      summary: "Create an environment",
      tags: ["environments"],
      body: environmentInputSchema,
      responses: {
        201: {
          description: "Created",
          schema: z.object({
            success: z.literal(true),
            message: z.literal("Environment created"),
            environment: environmentSchema,
          }),
        },
        400: {
          description: "`Environment name is required` or `Maximum of 20 environments allowed`",
          schema: errorSchema,
        },
        401: unauthorized,
      },
      handler: async ({ userId, body, reply }) => {
        const environment = await environments.create(userId, body);
        void reply.status(201);
        return { success: true, message: "Environment created", environment };
      },
    }),
    defineRoute({
      method: "GET",
      url: "/environments",
      summary: "List environments, newest first",
      tags: ["environments"],
      responses: {
        200: {
          description: "The caller's environments",
          schema: z.object({ success: z.literal(true), environments: z.array(environmentSchema) }),
        },
        401: unauthorized,
      },
      handler: async ({ userId }) => ({ success: true, environments: await environments.list(userId) }),
    }),
    defineRoute({
      method: "GET",
      url: "/environments/:id",
      summary: "An environment with what it holds (from the summaries stored at save time)",
      tags: ["environments"],
      params: environmentParams,
      responses: {
        200: {
          description: "The record, its files and kept versions",
          schema: z.object({
            success: z.literal(true),
            environment: environmentSchema,
            files: z.array(fileSummarySchema),
            versions: z.array(versionInfoSchema),
          }),
        },
        401: unauthorized,
        404: notFound,
      },
      handler: async ({ userId, params }) => {
        const environment = await environments.get(userId, params.id);
        const [attached, versions] = await Promise.all([
          files.listEnvironmentFiles(userId, params.id),
          environments.history(userId, params.id),
        ]);
        return { success: true, environment, files: attached, versions };
      },
    }),
    defineRoute({
      method: "PATCH",
      url: "/environments/:id",
      summary: "Rename or re-describe an environment",
      tags: ["environments"],
      params: environmentParams,
      body: environmentUpdateSchema,
      responses: {
        200: {
          description: "Updated",
          schema: z.object({ success: z.literal(true), environment: environmentSchema }),
        },
        400: { description: "Invalid name or description", schema: errorSchema },
        401: unauthorized,
        404: notFound,
      },
      handler: async ({ userId, params, body }) => ({
        success: true,
        environment: await environments.update(userId, params.id, body),
      }),
    }),
    defineRoute({
      method: "DELETE",
      url: "/environments/:id",
      summary: "Delete an environment, its browser data and all its files",
      tags: ["environments"],
      params: environmentParams,
      responses: {
        200: {
          description: "Deleted",
          schema: z.object({ success: z.literal(true), message: z.literal("Environment deleted") }),
        },
        401: unauthorized,
        404: notFound,
      },
      handler: async ({ userId, params }) => {
        // The environment first: from then on it reads as gone, and its files go with it.
        await environments.delete(userId, params.id);
        await files.deleteEnvironmentFiles(userId, params.id);
        return { success: true, message: "Environment deleted" };
      },
    }),
  ];
}
