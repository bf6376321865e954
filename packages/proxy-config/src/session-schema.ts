import { z } from "zod";
import { environmentIdSchema, opaqueIdSchema } from "./ids.js";
import { proxySchema } from "./proxy-schema.js";
import { type FieldError, type ParseResult, parseWith, rootPath } from "./result.js";
import { pickKnown, strictObject } from "./strict-object.js";
import { initialTaskSchema, taskSchema } from "./task-schema.js";

export const reachOutModes = ["off", "guardrail_only", "full"] as const;

const sessionFields = {
  mode: z.literal("default", { error: 'mode must be "default"' }).default("default"),
  environmentId: environmentIdSchema("environmentId").optional(),
  profileId: environmentIdSchema("profileId").optional(),
  policyId: opaqueIdSchema("policyId").optional(),
  proxy: proxySchema.optional(),
  // The contract fixes this message word for word.
  reachOutMode: z
    .enum(reachOutModes, { error: `reachOutMode must be one of: ${reachOutModes.join(", ")}` })
    .default("guardrail_only"),
  task: taskSchema.optional(),
  initialTask: initialTaskSchema.optional(),
};

/**
 * Session parameters: both spellings of the environment (`environmentId`,
 * `profileId`) and of the task (`task`, `initialTask`) are accepted and
 * normalised to `environmentId` and `task`; giving both of a pair is an
 * error unless they agree (ids only).
 */
export const sessionParamsSchema = strictObject(sessionFields).transform((input, ctx) => {
  const params = pickKnown(input, sessionFields);
  if (
    params.environmentId !== undefined &&
    params.profileId !== undefined &&
    params.environmentId !== params.profileId
  ) {
    ctx.issues.push({
      code: "custom",
      input,
      path: ["profileId"],
      message: "profileId and environmentId name different environments; give only environmentId",
    });
  }
  if (params.task !== undefined && params.initialTask !== undefined) {
    ctx.issues.push({
      code: "custom",
      input,
      path: ["initialTask"],
      message: "give either task or initialTask, not both",
    });
  }
  if (ctx.issues.length > 0) return z.NEVER;
  const environmentId = params.environmentId ?? params.profileId;
  const task = params.task ?? params.initialTask;
  return {
    mode: params.mode,
    ...(environmentId === undefined ? {} : { environmentId }),
    ...(params.policyId === undefined ? {} : { policyId: params.policyId }),
    reachOutMode: params.reachOutMode,
    ...(params.proxy === undefined ? {} : { proxy: params.proxy }),
    ...(task === undefined ? {} : { task }),
  };
});

/** Validated, normalised session parameters. */
export type SessionParams = z.output<typeof sessionParamsSchema>;

/** Validates and normalises session parameters; every problem is reported at once, with its path. */
export function parseSessionParams(input: unknown): ParseResult<SessionParams> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    const error: FieldError = { path: rootPath, message: "session parameters must be a JSON object" };
    return { ok: false, errors: [error] };
  }
  return parseWith(sessionParamsSchema, input);
}
